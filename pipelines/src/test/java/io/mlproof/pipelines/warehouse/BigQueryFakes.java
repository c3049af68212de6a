package io.mlproof.pipelines.warehouse;

import com.google.api.services.bigquery.model.JobConfigurationQuery;
import com.google.api.services.bigquery.model.JobStatistics;
import com.google.api.services.bigquery.model.JobStatistics2;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.cloud.bigquery.storage.v1.AvroRows;
import com.google.cloud.bigquery.storage.v1.AvroSchema;
import com.google.cloud.bigquery.storage.v1.CreateReadSessionRequest;
import com.google.cloud.bigquery.storage.v1.DataFormat;
import com.google.cloud.bigquery.storage.v1.ReadRowsRequest;
import com.google.cloud.bigquery.storage.v1.ReadRowsResponse;
import com.google.cloud.bigquery.storage.v1.ReadSession;
import com.google.cloud.bigquery.storage.v1.ReadStream;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamRequest;
import com.google.cloud.bigquery.storage.v1.SplitReadStreamResponse;
import com.google.cloud.bigquery.storage.v1.StreamStats;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;

/**
 * A BigQuery for tests, built from Beam's fakes: no BigQuery can run here. Beam's {@link
 * FakeJobService} takes a query's text to be its base64-encoded result table ({@link
 * FakeBigQueryServices#encodeQueryResult}) and answers dry runs registered with {@code
 * expectDryRunQuery}; {@link FakeDatasetService} holds the datasets and the query's temporary
 * result table; {@link StorageReads} serves that result over the Storage Read API as Avro, the way
 * BigQuery does; {@link Api} answers mlproof's driver-side calls from the same fakes.
 */
public final class BigQueryFakes {

  public static final String PROJECT = "test-project";
  public static final String DATASET = "analytics";

  private final FakeDatasetService datasets = new FakeDatasetService();
  private final FakeJobService jobs = new FakeJobService();

  /** A canned query: its encoded text (what the fake job service runs) and its result. */
  public record CannedQuery(String text, TableSchema schema, List<TableRow> rows) {}

  public BigQueryFakes() throws Exception {
    FakeDatasetService.setUp();
    FakeJobService.setUp();
    datasets.createDataset(PROJECT, DATASET, "US", "mlproof test dataset", null);
  }

  /** Registers a table the canned queries read from (BigQueryIO looks up its location). */
  public TableReference table(String name) throws Exception {
    TableReference ref =
        new TableReference().setProjectId(PROJECT).setDatasetId(DATASET).setTableId(name);
    datasets.createTable(new Table().setTableReference(ref).setLocation("US"));
    return ref;
  }

  /** A query whose result is {@code rows}, with a dry run that reports {@code bytes} scanned. */
  public CannedQuery query(
      TableSchema schema, List<TableRow> rows, long bytes, TableReference reads)
      throws IOException {
    String text =
        FakeBigQueryServices.encodeQueryResult(
            new Table().setSchema(schema).setNumBytes(bytes), rows);
    expectDryRun(text, schema, bytes, reads);
    return new CannedQuery(text, schema, rows);
  }

  /**
   * Answers a dry run of exactly {@code text}: its schema, the bytes it scans, the table it reads.
   */
  public void expectDryRun(String text, TableSchema schema, long bytes, TableReference reads) {
    jobs.expectDryRunQuery(
        PROJECT,
        text,
        new JobStatistics()
            .setQuery(
                new JobStatistics2()
                    .setTotalBytesProcessed(bytes)
                    .setSchema(schema)
                    .setReferencedTables(List.of(reads))));
  }

  /** Beam's services with a Storage Read client serving the query results as these Avro records. */
  public BigQueryServices services(Schema avroSchema, List<GenericRecord> records) {
    return new FakeBigQueryServices()
        .withDatasetService(datasets)
        .withJobService(jobs)
        .withStorageClient(new StorageReads(avroSchema, records));
  }

  /**
   * Beam's services for writes (load jobs): the fake dataset and job services, no Storage Read
   * client.
   */
  public BigQueryServices services() {
    return new FakeBigQueryServices().withDatasetService(datasets).withJobService(jobs);
  }

  /** The dataset as a warehouse whose driver calls and load jobs go to these fakes. */
  public BigQueryWarehouse warehouse() {
    return BigQueryWarehouse.of(PROJECT, DATASET)
        .withApi(api(List.of()))
        .withTestServices(services());
  }

  /** The fake datasets, to read back what a load job wrote. */
  public FakeDatasetService datasets() {
    return datasets;
  }

  public Api api(List<String> tables) {
    return api(DATASET, tables);
  }

  /** The driver-side API for {@code dataset} (which may not exist in the fakes). */
  public Api api(String dataset, List<String> tables) {
    return new Api(datasets, jobs, dataset, tables);
  }

  public static TableFieldSchema field(String name, String type) {
    return new TableFieldSchema().setName(name).setType(type).setMode("NULLABLE");
  }

  /** The Storage Read API over fixed Avro rows: one stream, one response. */
  static final class StorageReads implements BigQueryServices.StorageClient, Serializable {
    private static final long serialVersionUID = 1L;
    private final String avroSchema;
    private final ReadRowsResponse response;

    StorageReads(Schema schema, List<GenericRecord> records) {
      this.avroSchema = schema.toString();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      try {
        for (GenericRecord record : records) {
          writer.write(record, encoder);
        }
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.response =
          ReadRowsResponse.newBuilder()
              .setAvroRows(
                  AvroRows.newBuilder()
                      .setSerializedBinaryRows(ByteString.copyFrom(bytes.toByteArray())))
              .setRowCount(records.size())
              .setStats(
                  StreamStats.newBuilder()
                      .setProgress(
                          StreamStats.Progress.newBuilder()
                              .setAtResponseStart(0)
                              .setAtResponseEnd(1)))
              .build();
    }

    @Override
    public ReadSession createReadSession(CreateReadSessionRequest request) {
      return ReadSession.newBuilder()
          .setName("session")
          .setTable(request.getReadSession().getTable())
          .setDataFormat(DataFormat.AVRO)
          .setAvroSchema(AvroSchema.newBuilder().setSchema(avroSchema))
          .addStreams(ReadStream.newBuilder().setName("stream-0"))
          .build();
    }

    @Override
    public BigQueryServices.BigQueryServerStream<ReadRowsResponse> readRows(
        ReadRowsRequest request) {
      return new FakeBigQueryServices.FakeBigQueryServerStream<>(
          request.getOffset() == 0 ? List.of(response) : List.of());
    }

    @Override
    public BigQueryServices.BigQueryServerStream<ReadRowsResponse> readRows(
        ReadRowsRequest request, String fullTableId) {
      return readRows(request);
    }

    @Override
    public SplitReadStreamResponse splitReadStream(SplitReadStreamRequest request) {
      return SplitReadStreamResponse.getDefaultInstance(); // no split: the stream stays whole
    }

    @Override
    public SplitReadStreamResponse splitReadStream(
        SplitReadStreamRequest request, String fullTableId) {
      return splitReadStream(request);
    }

    @Override
    public void close() {}
  }

  /** mlproof's driver-side BigQuery calls, answered by Beam's fake dataset and job services. */
  public static final class Api implements BigQueryApi {
    private final FakeDatasetService datasets;
    private final FakeJobService jobs;
    private final String dataset;
    private final List<String> tables;

    Api(FakeDatasetService datasets, FakeJobService jobs, String dataset, List<String> tables) {
      this.datasets = datasets;
      this.jobs = jobs;
      this.dataset = dataset;
      this.tables = tables;
    }

    @Override
    public void checkDataset() {
      try {
        datasets.getDataset(PROJECT, dataset);
      } catch (IOException | InterruptedException e) {
        throw BigQueryApi.unreachable(
            PROJECT, dataset, e.getMessage().lines().findFirst().orElse(""));
      }
    }

    @Override
    public List<String> tableNames() {
      return tables;
    }

    @Override
    public DryRun dryRun(String sql) {
      JobStatistics statistics;
      try {
        statistics =
            jobs.dryRunQuery(
                PROJECT, new JobConfigurationQuery().setQuery(sql).setUseLegacySql(false), null);
      } catch (UnsupportedOperationException e) {
        throw new QueryError("Syntax error: the fake knows no such query", e);
      }
      List<SqlColumn> columns = new ArrayList<>();
      for (TableFieldSchema field : statistics.getQuery().getSchema().getFields()) {
        columns.add(new SqlColumn(field.getName(), field.getType()));
      }
      long bytes = statistics.getQuery().getTotalBytesProcessed();
      return new DryRun(
          Dialect.BIGQUERY,
          columns,
          OptionalLong.of(bytes),
          "dry-run job: " + bytes + " bytes processed");
    }

    @Override
    public List<ResultRow> query(String sql, int maxRows) {
      throw new UnsupportedOperationException("not needed by these tests");
    }
  }

  /** An Avro record of {@code schema} from name/value pairs. */
  public static GenericRecord record(Schema schema, Map<String, Object> values) {
    GenericData.Record record = new GenericData.Record(schema);
    values.forEach(record::put);
    return record;
  }
}
