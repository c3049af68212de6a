"""Reads a generated Airflow DAG file without importing Airflow: prints its DAG arguments, tasks
and edges as JSON, for the export test to compare with the YAML."""
import ast
import json
import sys


def literal(node):
    return None if node is None else ast.literal_eval(node)


def main(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    dag, tasks, variables, edges = {}, {}, {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "DAG":
                    dag = {kw.arg: ast.unparse(kw.value) for kw in call.keywords}
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)):
            kwargs = {kw.arg: kw.value for kw in node.value.keywords}
            if "task_id" not in kwargs:
                continue
            task_id = literal(kwargs["task_id"])
            variables[node.targets[0].id] = task_id
            options = kwargs.get("pipeline_options")
            pipeline = None
            if isinstance(options, ast.Dict):
                for key, value in zip(options.keys, options.values):
                    if literal(key) == "pipeline":
                        pipeline = literal(value)
            tasks[task_id] = {
                "operator": node.value.func.id,
                "retries": literal(kwargs.get("retries")),
                "trigger_rule": literal(kwargs.get("trigger_rule")),
                "pipeline": pipeline,
            }

    def names(expr):
        if isinstance(expr, ast.Name):
            return [variables[expr.id]]
        if isinstance(expr, ast.List):
            return [variables[e.id] for e in expr.elts]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.RShift):
            chain(expr)
            return names(expr.right)
        raise ValueError("unexpected dependency expression: " + ast.unparse(expr))

    def chain(expr):
        for up in names(expr.left):
            for down in names(expr.right):
                edges.append([up, down])

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.RShift):
            chain(node.value)
    print(json.dumps({"dag": dag, "tasks": tasks, "edges": sorted(edges)}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
