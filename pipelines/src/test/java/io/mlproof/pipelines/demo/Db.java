package io.mlproof.pipelines.demo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Read-only SQL over a warehouse file, for tests that check it independently of the generator. */
final class Db implements AutoCloseable {
  private final Connection connection;

  private Db(Connection connection) {
    this.connection = connection;
  }

  static Db open(Path file) {
    Properties properties = new Properties();
    properties.setProperty("duckdb.read_only", "true");
    try {
      return new Db(DriverManager.getConnection("jdbc:duckdb:" + file, properties));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of every row. */
  List<Object> column(String sql) {
    List<Object> values = new ArrayList<>();
    for (List<Object> row : rows(sql)) {
      values.add(row.get(0));
    }
    return values;
  }

  long number(String sql) {
    return ((Number) rows(sql).get(0).get(0)).longValue();
  }

  double real(String sql) {
    return ((Number) rows(sql).get(0).get(0)).doubleValue();
  }

  Map<String, Object> row(String sql) {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      Map<String, Object> row = new LinkedHashMap<>();
      if (r.next()) {
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
        }
      }
      return row;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  List<List<Object>> rows(String sql) {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(r.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Row count and an MD5 of every row in id order, per warehouse table. */
  Map<String, String> checksums() {
    Map<String, String> sums = new LinkedHashMap<>();
    for (String[] table :
        new String[][] {
          {"users", "user_id"},
          {"events", "event_id"},
          {"payments", "payment_id"},
          {"demo_truth", "user_id"}
        }) {
      sums.put(
          table[0],
          (String)
              rows("SELECT count(*) || ':' || md5(string_agg(t::VARCHAR, '|' ORDER BY t."
                      + table[1]
                      + ")) FROM "
                      + table[0]
                      + " t")
                  .get(0)
                  .get(0));
    }
    return sums;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
