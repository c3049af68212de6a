"""Renders exported template expressions the way Airflow would, without Airflow: Jinja with
Airflow's context names, its `ds` filter and macros.ds_add, for one scheduled run.

stdin: JSON {"logical_date": "YYYY-MM-DD", "interval_end": "YYYY-MM-DD", "params": {...},
             "run_root": "...", "expressions": ["<python expression>", ...]}
stdout: JSON list of rendered strings."""
import json
import shlex
import sys
from datetime import datetime, timedelta, timezone

import dateutil
import dateutil.relativedelta
import jinja2


def ds_add(ds, days):
    # Airflow's airflow.macros.ds_add.
    if not days:
        return str(ds)
    return (datetime.strptime(str(ds), "%Y-%m-%d") + timedelta(days=days)).strftime("%Y-%m-%d")


class Macros:
    ds_add = staticmethod(ds_add)
    dateutil = dateutil


class Params(dict):
    __getattr__ = dict.__getitem__


def main():
    request = json.load(sys.stdin)
    start = datetime.strptime(request["logical_date"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
    end = datetime.strptime(request["interval_end"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["ds"] = lambda value: value.strftime("%Y-%m-%d")  # Airflow's ds filter
    env.filters["shell_quote"] = lambda value: shlex.quote(str(value))  # the exported DAG's user filter
    context = {
        "ds": start.strftime("%Y-%m-%d"),
        "ds_nodash": start.strftime("%Y%m%d"),
        "logical_date": start,
        "data_interval_start": start,
        "data_interval_end": end,
        "params": Params(request["params"]),
        "macros": Macros,
        "var": {"value": {"get": lambda name, default: default}},
    }
    root_expr = "var.value.get('mlproof_run_root', '" + request["run_root"] + "')"
    scope = {"RUN_ROOT": "{{ " + root_expr + " }}", "RUN_ROOT_EXPR": root_expr,
             "MLPROOF_JAR": "jar"}
    rendered = []
    for expression in request["expressions"]:
        source = eval(expression, {}, scope)  # the exported Python expression: literals and RUN_ROOT
        rendered.append(env.from_string(source).render(context))
    print(json.dumps(rendered))


if __name__ == "__main__":
    main()
