package io.mlproof.pipelines.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.pipelines.core.LogicalDateOptions;
import io.mlproof.pipelines.warehouse.Warehouse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class SqlRendererTest {

  private static final Warehouse DUCKDB = Warehouse.parse("duckdb:/tmp/w.duckdb");
  private static final Warehouse BIGQUERY = Warehouse.parse("bigquery:my-project.analytics");

  private static TemplateContext context(String params) {
    return new TemplateContext(
        LocalDate.parse("2024-01-07"),
        Instant.parse("2024-01-07T00:00:00Z"),
        Instant.parse("2024-01-08T00:00:00Z"),
        TemplateContext.parseParams(params));
  }

  private static String render(String text, String params) {
    return SqlRenderer.render(SqlTemplate.inline("t.sql", text), context(params), DUCKDB).sql();
  }

  @Test
  void airflowVariablesRenderAsTypedLiterals() {
    assertThat(
            render(
                "SELECT {{ ds }}, {{ds_nodash}}, {{  data_interval_start }}, {{ data_interval_end }}",
                "{}"))
        .isEqualTo(
            "SELECT DATE '2024-01-07', '20240107', TIMESTAMP '2024-01-07 00:00:00',"
                + " TIMESTAMP '2024-01-08 00:00:00'");
  }

  @Test
  void intervalsWithSubSecondTimesKeepMicroseconds() {
    TemplateContext context =
        new TemplateContext(
            LocalDate.parse("2024-01-07"),
            Instant.parse("2024-01-07T06:30:00.000250Z"),
            Instant.parse("2024-01-07T07:00:00Z"),
            java.util.Map.of());
    assertThat(
            SqlRenderer.render(
                    SqlTemplate.inline("t.sql", "{{ data_interval_start }}"), context, DUCKDB)
                .sql())
        .isEqualTo("TIMESTAMP '2024-01-07 06:30:00.000250'");
  }

  @Test
  void paramsRenderByTheirParsedType() {
    String params =
        "{\"days\": 90, \"neg\": -5, \"rate\": 0.25, \"on\": true, \"since\": \"2023-12-01\","
            + " \"at\": \"2024-01-07T06:00:00+02:00\", \"country\": \"DE\"}";
    assertThat(
            render(
                "{{ params.days }} {{ params.neg }} {{ params.rate }} {{ params.on }} {{ params.since }}"
                    + " {{ params.at }} {{ params.country }}",
                params))
        .isEqualTo("90 (-5) 0.25 TRUE DATE '2023-12-01' TIMESTAMP '2024-01-07 04:00:00' 'DE'");
    // A negative number cannot turn "x -{{ n }}" into a SQL comment.
    assertThat(render("x -{{ params.neg }}", params)).isEqualTo("x -(-5)");
  }

  @Test
  void tablesAreQualifiedPerWarehouseAndRecorded() {
    SqlTemplate template =
        SqlTemplate.inline(
            "t.sql", "SELECT * FROM {{ table('events') }} JOIN {{ table(\"users\") }}");
    RenderedSql duck = SqlRenderer.render(template, context("{}"), DUCKDB);
    RenderedSql bq = SqlRenderer.render(template, context("{}"), BIGQUERY);
    assertThat(duck.sql()).isEqualTo("SELECT * FROM \"events\" JOIN \"users\"");
    assertThat(bq.sql())
        .isEqualTo("SELECT * FROM `my-project.analytics.events` JOIN `my-project.analytics.users`");
    assertThat(duck.tables()).isEqualTo(Set.of("events", "users"));
  }

  @Test
  void sha256IsOfTheRenderedText() {
    // printf 'SELECT 1' | sha256sum
    assertThat(
            SqlRenderer.render(
                    SqlTemplate.inline("t.sql", "SELECT {{ params.one }}"),
                    context("{\"one\": 1}"),
                    DUCKDB)
                .sha256())
        .isEqualTo("e004ebd5b5532a4b85984a62f8ad48a81aa3460c1ca07701f386135d72cdecf5");
  }

  @Test
  void injectionThroughParamsIsRejected() {
    assertThatThrownBy(
            () ->
                render("WHERE country = {{ params.c }}", "{\"c\": \"DE'; DROP TABLE events; --\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: params.c 'DE'; DROP TABLE events; --' has characters not allowed"
                + " in SQL text (quotes, backslashes, semicolons, newlines): use letters, digits, spaces and"
                + " _ . , : @ / % + - only");
    assertThatThrownBy(() -> render("{{ params.c }}", "{\"c\": \"O\\\"Brien\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("params.c 'O\"Brien' has characters");
    assertThatThrownBy(() -> render("{{ params.c }}", "{\"c\": \"a\\\\' OR 1=1\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has characters not allowed");
    assertThatThrownBy(() -> render("{{ params.c }}", "{\"c\": \"x\\ny\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("params.c 'x\\u000ay' has characters");
    assertThatThrownBy(() -> render("{{ params.c }}", "{\"c\": [1, 2]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: params.c is array, which has no SQL literal here: pass a number,"
                + " true/false, a date (YYYY-MM-DD), an ISO time or plain text");
    assertThatThrownBy(() -> render("{{ params.c }}", "{\"c\": null}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("params.c is null");
  }

  @Test
  void badDatesAreRejected() {
    assertThatThrownBy(() -> render("\n{{ params.since }}", "{\"since\": \"2024-02-30\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 2: params.since '2024-02-30' is not a valid date: use YYYY-MM-DD, e.g. 2024-01-07");
    assertThatThrownBy(() -> render("{{ params.at }}", "{\"at\": \"2024-01-07T25:00:00Z\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "template t.sql line 1: params.at '2024-01-07T25:00:00Z' is not a valid date or time");
    assertThatThrownBy(() -> render("{{ params.d }}", "{\"d\": \"0000-01-01\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: date 0000-01-01 is outside 0001-01-01..9999-12-31:"
                + " use dates between 0001-01-01 and 9999-12-31 at microsecond precision");

    LogicalDateOptions options = PipelineOptionsFactory.as(LogicalDateOptions.class);
    options.setLogicalDate("2024-1-7");
    assertThatThrownBy(() -> TemplateContext.from(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--logicalDate '2024-1-7' is not a valid date: use YYYY-MM-DD, e.g. 2024-01-07");
    options.setLogicalDate("2024-01-07");
    options.setDataIntervalStart("2024-01-07'; DROP TABLE events; --");
    assertThatThrownBy(() -> TemplateContext.from(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "--dataIntervalStart '2024-01-07'; DROP TABLE events; --' is not a valid date or time");
    options.setDataIntervalStart("2024-01-08");
    options.setDataIntervalEnd("2024-01-08");
    assertThatThrownBy(() -> TemplateContext.from(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "data interval end 2024-01-08T00:00:00Z is not after its start 2024-01-08T00:00:00Z:"
                + " pass --dataIntervalEnd later than --dataIntervalStart");
  }

  @Test
  void intervalDefaultsFollowAirflow() {
    LogicalDateOptions options = PipelineOptionsFactory.as(LogicalDateOptions.class);
    options.setLogicalDate("2024-01-07");
    TemplateContext daily = TemplateContext.from(options);
    assertThat(daily.dataIntervalStart()).isEqualTo(Instant.parse("2024-01-07T00:00:00Z"));
    assertThat(daily.dataIntervalEnd()).isEqualTo(Instant.parse("2024-01-08T00:00:00Z"));
    options.setDataIntervalStart("2023-10-09");
    options.setDataIntervalEnd("2024-01-07T00:00:00Z");
    TemplateContext lookback = TemplateContext.from(options);
    assertThat(lookback.dataIntervalStart()).isEqualTo(Instant.parse("2023-10-09T00:00:00Z"));
    assertThat(lookback.dataIntervalEnd()).isEqualTo(Instant.parse("2024-01-07T00:00:00Z"));
    options.setParams("{\"days\": 90");
    assertThatThrownBy(() -> TemplateContext.from(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--params is not valid JSON (");
    options.setParams("[90]");
    assertThatThrownBy(() -> TemplateContext.from(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--params must be a JSON object, e.g. --params={\"lookback_days\":90}");
  }

  @Test
  void badIdentifiersAreRejected() {
    assertThatThrownBy(() -> render("FROM {{ table('events; DROP TABLE users') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: table name 'events; DROP TABLE users' is not a plain identifier:"
                + " use letters, digits and underscores, e.g. {{ table('events') }}");
    assertThatThrownBy(() -> render("FROM {{ table('ev\"ents') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("table name 'ev\"ents' is not a plain identifier");
    assertThatThrownBy(() -> render("FROM {{ table('a.b') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("table name 'a.b' is not a plain identifier");
    assertThatThrownBy(() -> render("FROM {{ table('1events') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'1events' is not a plain identifier");
    assertThatThrownBy(() -> DUCKDB.tableReference("x\" OR 1=1"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "table name 'x\" OR 1=1' is not a plain identifier: use letters, digits and underscores,"
                + " starting with a letter or underscore");
  }

  @Test
  void anythingBeyondTheGrammarIsRejectedWithLineAndFix() {
    String grammar =
        "use {{ ds }}, {{ ds_nodash }}, {{ data_interval_start }}, {{ data_interval_end }},"
            + " {{ params.<name> }}, {{ table('<name>') }} or {{ partition('<column>') }}";
    assertThatThrownBy(() -> render("SELECT 1\nWHERE d = {{ today }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("template t.sql line 2: unknown name 'today': " + grammar);
    assertThatThrownBy(() -> render("{{ ds | upper }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("template t.sql line 1: unsupported expression {{ ds | upper }}: " + grammar);
    assertThatThrownBy(() -> render("{{ params.x.__class__ }}", "{\"x\": 1}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unsupported expression");
    assertThatThrownBy(() -> render("{{ 'a' ~ ds }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unsupported expression");
    assertThatThrownBy(() -> render("a\nb\n{{ ds", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("template t.sql line 3: '{{' is not closed: close it with '}}'");
    assertThatThrownBy(() -> render("{{ ds {{ ds }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'{{' is not closed");
    assertThatThrownBy(() -> render("{% if x %}1{% endif %}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: Jinja statements and comments ('{%') are not supported:"
                + " use plain SQL (and -- comments); only {{ }} substitutions are rendered");
    assertThatThrownBy(() -> render("SELECT 1 {# note #}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("('{#') are not supported");
    assertThatThrownBy(() -> render("{{ params.missing }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: params.missing is not set: pass it in --params, e.g."
                + " --params={\"missing\":...}");
  }

  /** Two scans, each marked; the offsets below are counted in the expected text by hand. */
  private static final String MARKED =
      "SELECT user_id FROM {{ table('events') }} WHERE {{ partition('user_id') }} AND x > 1\n"
          + "UNION ALL SELECT user_id FROM {{ table(\"payments\") }} WHERE {{partition(\"user_id\")}}";

  @Test
  void partitionMarkersRenderAsTrueAndKeepTheirPlace() {
    RenderedSql duck =
        SqlRenderer.render(SqlTemplate.inline("t.sql", MARKED), context("{}"), DUCKDB);
    String whole =
        "SELECT user_id FROM \"events\" WHERE TRUE AND x > 1\n"
            + "UNION ALL SELECT user_id FROM \"payments\" WHERE TRUE";
    assertThat(duck.sql()).isEqualTo(whole);
    // "SELECT user_id FROM \"events\" WHERE " is 35 characters, the first line 50 with its newline,
    // and "UNION ALL SELECT user_id FROM \"payments\" WHERE " 47: the second TRUE is at 97.
    assertThat(duck.partitionMarkers())
        .containsExactly(
            new RenderedSql.PartitionMarker("user_id", 35),
            new RenderedSql.PartitionMarker("user_id", 97));
    assertThat(duck.withPartitionFilter("(hash(\"user_id\") % 8 = ?)"))
        .isEqualTo(
            "SELECT user_id FROM \"events\" WHERE (hash(\"user_id\") % 8 = ?) AND x > 1\n"
                + "UNION ALL SELECT user_id FROM \"payments\" WHERE (hash(\"user_id\") % 8 = ?)");
    assertThat(duck.partitionColumn("user_id")).contains("user_id");
    // The SHA-256 is of the whole query, so it names the query whatever a read is split into.
    assertThat(duck.sha256()).isEqualTo(new RenderedSql("t.sql", whole, Set.of()).sha256());

    RenderedSql bq =
        SqlRenderer.render(SqlTemplate.inline("t.sql", MARKED), context("{}"), BIGQUERY);
    assertThat(bq.sql())
        .isEqualTo(
            "SELECT user_id FROM `my-project.analytics.events` WHERE TRUE AND x > 1\n"
                + "UNION ALL SELECT user_id FROM `my-project.analytics.payments` WHERE TRUE");

    RenderedSql plain =
        SqlRenderer.render(SqlTemplate.inline("t.sql", "SELECT 1"), context("{}"), DUCKDB);
    assertThat(plain.partitionMarkers()).isEmpty();
    assertThat(plain.partitionColumn("user_id")).isEmpty();
    assertThat(plain.withPartitionFilter("(x = ?)")).isEqualTo("SELECT 1");
  }

  @Test
  void badPartitionMarkersAreRejected() {
    assertThatThrownBy(() -> render("WHERE {{ partition(user_id) }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 1: unsupported expression {{ partition(user_id) }}:"
                + " name one column in quotes, e.g. {{ partition('user_id') }}");
    assertThatThrownBy(() -> render("WHERE {{ partition() }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unsupported expression {{ partition() }}");
    assertThatThrownBy(() -> render("WHERE {{ partition('user_id', 8) }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unsupported expression {{ partition('user_id', 8) }}");
    assertThatThrownBy(() -> render("\nWHERE {{ partition('user_id) OR (1=1') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 2: partition column 'user_id) OR (1=1' is not a plain identifier:"
                + " use letters, digits and underscores, e.g. {{ partition('user_id') }}");
    assertThatThrownBy(() -> render("WHERE {{ partition('u.user_id') }}", "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("partition column 'u.user_id' is not a plain identifier");
    assertThatThrownBy(
            () ->
                render(
                    "WHERE {{ partition('user_id') }}\nUNION ALL\nWHERE {{ partition('event_id') }}",
                    "{}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql line 3: partition('event_id') names another column than the"
                + " template's first marker, partition('user_id'): split every scan by the same"
                + " column, the key of the rows the query returns");
  }

  @Test
  void markersOnAnotherColumnThanTheReadsKeyAreRejected() {
    RenderedSql sql =
        SqlRenderer.render(
            SqlTemplate.inline("t.sql", "SELECT * FROM e WHERE {{ partition('event_id') }}"),
            context("{}"),
            DUCKDB);
    assertThatThrownBy(() -> sql.partitionColumn("user_id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "template t.sql marks its scans with partition('event_id') but the read is split by"
                + " user_id: write {{ partition('user_id') }} in every scan's WHERE, the key of the"
                + " rows it returns");
    // Hand-built markers on two columns (the renderer refuses them) fail the same way.
    RenderedSql two =
        new RenderedSql(
            "h.sql",
            "TRUE AND TRUE",
            Set.of(),
            java.util.List.of(
                new RenderedSql.PartitionMarker("user_id", 0),
                new RenderedSql.PartitionMarker("event_id", 9)));
    assertThatThrownBy(() -> two.partitionColumn("user_id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "template h.sql marks its scans with partition('event_id'), partition('user_id') but");
    assertThatThrownBy(
            () ->
                new RenderedSql(
                    "h.sql",
                    "SELECT 1",
                    Set.of(),
                    java.util.List.of(new RenderedSql.PartitionMarker("user_id", 2))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
