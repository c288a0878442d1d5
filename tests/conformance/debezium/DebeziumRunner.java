// DebeziumRunner: runs the real Debezium embedded engine and writes what it emits, and checks
// JSON change events with Kafka Connect's JsonConverter. Started by run.sh (see README.md);
// compiled with plain javac against the jars fetched by pom.xml (Debezium 3.6.1) or
// pom-mariadb.xml (3.5.0; run.sh with CDCD_DBZ_POM=pom-mariadb.xml), and works with both.
//
//   capture --props FILE --out FILE --schemas true|false [--idle-ms N] [--max-events N]
//           [--startup-timeout-ms N] [--ready-file FILE]
//   connect-roundtrip --in FILE --schemas true|false [--dump FILE]
//
// Output and input lines: {"topic":"...","key":<JSON or null>,"value":<JSON or null>}.
// capture embeds the converter's key and value text verbatim (never re-serialised), so the bytes
// after "key": and "value": are exactly what Kafka Connect's JsonConverter produced.

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

public final class DebeziumRunner {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DebeziumRunner() {}

  public static void main(String[] args) {
    if (args.length == 0) usage("no mode given");
    quietJavaUtilLogging();
    Map<String, String> opts = parseOptions(args);
    int rc;
    try {
      switch (args[0]) {
        case "capture":
          rc = capture(opts);
          break;
        case "connect-roundtrip":
          rc = roundtrip(opts);
          break;
        default:
          usage("unknown mode '" + args[0] + "'");
          return;
      }
    } catch (Exception e) {
      System.err.println("DebeziumRunner: error: " + e);
      e.printStackTrace(System.err);
      rc = 2;
    }
    System.out.flush();
    System.err.flush();
    // Debezium and Kafka may leave non-daemon threads behind; the work is done.
    Runtime.getRuntime().halt(rc);
  }

  /**
   * mysql-binlog-connector-java logs through java.util.logging, not slf4j: give it the slf4j-simple
   * level run.sh chose (JUL's console handler writes to stderr too).
   */
  private static void quietJavaUtilLogging() {
    String level = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    java.util.logging.Level jul;
    switch (level) {
      case "trace":
        jul = java.util.logging.Level.FINEST;
        break;
      case "debug":
        jul = java.util.logging.Level.FINE;
        break;
      case "info":
        jul = java.util.logging.Level.INFO;
        break;
      case "error":
        jul = java.util.logging.Level.SEVERE;
        break;
      case "off":
        jul = java.util.logging.Level.OFF;
        break;
      default:
        jul = java.util.logging.Level.WARNING;
        break;
    }
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(jul);
    for (java.util.logging.Handler h : root.getHandlers()) h.setLevel(jul);
  }

  private static void usage(String why) {
    System.err.println("DebeziumRunner: " + why + "\nusage:\n"
        + "  capture --props FILE --out FILE --schemas true|false [--idle-ms N] [--max-events N]\n"
        + "          [--startup-timeout-ms N] [--ready-file FILE]\n"
        + "  connect-roundtrip --in FILE --schemas true|false [--dump FILE]");
    System.exit(64);
  }

  private static Map<String, String> parseOptions(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) usage("unexpected argument '" + a + "'");
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) usage("option --" + name + " needs a value");
        value = args[++i];
      }
      opts.put(name, value);
    }
    return opts;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) usage("missing --" + name);
    return v;
  }

  private static boolean boolOption(Map<String, String> opts, String name) {
    String v = required(opts, name);
    if (v.equals("true")) return true;
    if (v.equals("false")) return false;
    usage("--" + name + " must be true or false, not '" + v + "'");
    return false;
  }

  private static long longOption(Map<String, String> opts, String name, long dflt) {
    String v = opts.get(name);
    if (v == null) return dflt;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      usage("--" + name + " must be a number, not '" + v + "'");
      return dflt;
    }
  }

  // ------------------------------------------------------------------------------------------
  // capture

  private static int capture(Map<String, String> opts) throws Exception {
    Path propsFile = Paths.get(required(opts, "props"));
    Path outFile = Paths.get(required(opts, "out"));
    boolean schemas = boolOption(opts, "schemas");
    long idleMs = longOption(opts, "idle-ms", 3000);
    long maxEvents = longOption(opts, "max-events", Long.MAX_VALUE);
    long startupMs = longOption(opts, "startup-timeout-ms", 120_000);
    String readyFile = opts.get("ready-file");
    if (maxEvents <= 0) maxEvents = Long.MAX_VALUE;

    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(propsFile, StandardCharsets.UTF_8)) {
      props.load(r);
    }
    if (props.getProperty("connector.class") == null) {
      throw new IllegalArgumentException(propsFile + " has no connector.class");
    }
    props.putIfAbsent("name", "cdcd-conformance");
    props.putIfAbsent("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    props.putIfAbsent("offset.flush.interval.ms", "1000");
    // The Json format's key and value converters read converter.*; --schemas wins over the file.
    props.setProperty("converter.schemas.enable", Boolean.toString(schemas));

    final long max = maxEvents;
    final AtomicLong count = new AtomicLong();
    final AtomicLong lastRecordNanos = new AtomicLong();
    final AtomicReference<Throwable> consumerError = new AtomicReference<>();
    final Object done = new Object();
    final boolean[] completed = {false};
    final boolean[] success = {false};
    final String[] completionMessage = {null};
    final Throwable[] completionError = {null};

    final BufferedWriter out = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8);
    DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
        .using(props)
        .using((ok, message, error) -> {
          synchronized (done) {
            completed[0] = true;
            success[0] = ok;
            completionMessage[0] = message;
            completionError[0] = error;
            done.notifyAll();
          }
        })
        .using(new DebeziumEngine.ConnectorCallback() {
          @Override
          public void taskStarted() {
            System.err.println("capture: connector task started");
            if (readyFile != null) {
              try {
                Files.write(Paths.get(readyFile), new byte[0]);
              } catch (IOException e) {
                consumerError.compareAndSet(null, e);
              }
            }
          }
        })
        .notifying(event -> {
          if (consumerError.get() != null || count.get() >= max) return;
          try {
            String line = "{\"topic\":" + MAPPER.writeValueAsString(event.destination())
                + ",\"key\":" + rawJson(event.key()) + ",\"value\":" + rawJson(event.value()) + "}\n";
            synchronized (out) {
              out.write(line);
              out.flush(); // so a caller can watch the file grow
            }
            count.incrementAndGet();
            lastRecordNanos.set(System.nanoTime());
          } catch (Exception e) {
            consumerError.compareAndSet(null, e);
          }
        })
        .build();

    Thread engineThread = new Thread(engine, "debezium-engine");
    engineThread.start();
    long startNanos = System.nanoTime();
    String stopReason;
    while (true) {
      synchronized (done) {
        if (completed[0]) {
          stopReason = null;
          break;
        }
        done.wait(50);
      }
      if (consumerError.get() != null) {
        stopReason = "error writing output";
        break;
      }
      long n = count.get();
      long now = System.nanoTime();
      if (n >= max) {
        stopReason = "max-events " + max + " reached";
        break;
      }
      if (n == 0 && (now - startNanos) / 1_000_000 >= startupMs) {
        stopReason = "no record within " + startupMs + " ms of start";
        System.err.println("capture: warning: " + stopReason);
        break;
      }
      if (n > 0 && (now - lastRecordNanos.get()) / 1_000_000 >= idleMs) {
        stopReason = "idle for " + idleMs + " ms";
        break;
      }
    }

    if (stopReason != null) {
      try {
        engine.close(); // stops the tasks, commits offsets, then calls the completion callback
      } catch (IllegalStateException e) {
        // The engine is already shutting down after a failure of its own (the async engine
        // throws "Engine is already being shutting down."): its completion callback reports it.
        System.err.println("capture: engine already stopping (" + e.getMessage() + ")");
      }
      engineThread.join(60_000);
    }
    synchronized (out) {
      out.close();
    }
    boolean ok;
    String message;
    Throwable error;
    synchronized (done) {
      ok = completed[0] && success[0];
      message = completionMessage[0];
      error = completionError[0];
      if (!completed[0]) message = "engine did not stop within 60 s";
    }
    if (consumerError.get() != null) {
      System.err.println("capture: error: cannot write " + outFile + ": " + consumerError.get());
      return 2;
    }
    if (!ok) {
      System.err.println("capture: error: Debezium engine failed"
          + (stopReason == null ? "" : " (while stopping: " + stopReason + ")") + ": " + message);
      if (error != null) {
        System.err.println("capture: cause: " + error);
        for (Throwable c = error.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
          System.err.println("capture: caused by: " + c);
        }
      }
      return 1;
    }
    if (stopReason == null) stopReason = "engine finished by itself";
    System.err.println("capture: " + count.get() + " records written to " + outFile + " (" + stopReason + ")");
    return 0;
  }

  /** Checks a converter's output is one compact JSON value and returns it unchanged. */
  private static String rawJson(String text) throws IOException {
    if (text == null) return "null";
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      throw new IOException("converter output spans lines: " + text);
    }
    MAPPER.readTree(text); // throws on malformed JSON
    return text;
  }

  // ------------------------------------------------------------------------------------------
  // connect-roundtrip

  /** One input line: the topic and the exact text of its key and value (null: JSON null). */
  private static final class Line {
    String topic;
    String key;
    String value;
  }

  private static Line splitLine(JsonFactory factory, String text) throws IOException {
    Line line = new Line();
    boolean haveTopic = false;
    boolean haveKey = false;
    boolean haveValue = false;
    try (JsonParser p = factory.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("line is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getCharOffset();
        String raw = t == JsonToken.VALUE_NULL ? null : text.substring(start, end);
        switch (name) {
          case "topic":
            if (t != JsonToken.VALUE_STRING) throw new IOException("\"topic\" is not a string");
            line.topic = p.getText();
            haveTopic = true;
            break;
          case "key":
            line.key = raw;
            haveKey = true;
            break;
          case "value":
            line.value = raw;
            haveValue = true;
            break;
          default:
            break; // extra members are ignored
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("trailing text after the JSON object");
      }
    }
    if (!haveTopic || !haveKey || !haveValue) {
      throw new IOException("line needs the members \"topic\", \"key\" and \"value\"");
    }
    return line;
  }

  private static JsonConverter converter(boolean schemas, boolean isKey) {
    JsonConverter c = new JsonConverter();
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("schemas.enable", Boolean.toString(schemas));
    c.configure(cfg, isKey);
    return c;
  }

  private static String message(Throwable e) {
    StringBuilder sb = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      sb.append(" (caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(')');
    }
    return sb.toString().replace('\n', ' ');
  }

  private static int roundtrip(Map<String, String> opts) throws Exception {
    Path in = Paths.get(required(opts, "in"));
    boolean schemas = boolOption(opts, "schemas");
    String dump = opts.get("dump");

    JsonConverter keyIn = converter(schemas, true);
    JsonConverter valueIn = converter(schemas, false);
    JsonConverter keyOut = converter(false, true);
    JsonConverter valueOut = converter(false, false);
    JsonFactory factory = new JsonFactory();

    long records = 0;
    long failures = 0;
    Writer dumpOut = dump == null ? null : Files.newBufferedWriter(Paths.get(dump), StandardCharsets.UTF_8);
    try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
      String text;
      long lineNo = 0;
      while ((text = r.readLine()) != null) {
        lineNo++;
        if (text.isBlank()) continue;
        records++;
        Line line;
        try {
          line = splitLine(factory, text);
        } catch (IOException e) {
          failures++;
          System.out.println("line " + lineNo + ": line: " + message(e));
          if (dumpOut != null) {
            dumpOut.write("{\"line\":" + lineNo + ",\"topic\":null,\"key\":null,\"value\":null,\"error\":"
                + MAPPER.writeValueAsString("line: " + message(e)) + "}\n");
          }
          continue;
        }
        String[] rendered = new String[2];
        boolean failed = false;
        StringBuilder errors = new StringBuilder();
        for (int part = 0; part < 2; part++) {
          boolean isKey = part == 0;
          String raw = isKey ? line.key : line.value;
          String what = isKey ? "key" : "value";
          try {
            byte[] bytes = raw == null ? null : raw.getBytes(StandardCharsets.UTF_8);
            SchemaAndValue sv = (isKey ? keyIn : valueIn).toConnectData(line.topic, bytes);
            byte[] back = (isKey ? keyOut : valueOut).fromConnectData(line.topic, sv.schema(), sv.value());
            rendered[part] = back == null ? "null" : new String(back, StandardCharsets.UTF_8);
          } catch (Exception e) {
            failed = true;
            rendered[part] = "null";
            System.out.println("line " + lineNo + ": " + what + ": " + message(e));
            errors.append(errors.length() == 0 ? "" : "; ").append(what).append(": ").append(message(e));
          }
        }
        if (failed) failures++;
        if (dumpOut != null) {
          dumpOut.write("{\"line\":" + lineNo + ",\"topic\":" + MAPPER.writeValueAsString(line.topic)
              + ",\"key\":" + rendered[0] + ",\"value\":" + rendered[1]
              + (errors.length() == 0 ? "" : ",\"error\":" + MAPPER.writeValueAsString(errors.toString()))
              + "}\n");
        }
      }
    } finally {
      if (dumpOut != null) dumpOut.close();
    }
    System.out.println("roundtrip: " + records + " records, " + failures + " failures");
    return failures == 0 ? 0 : 1;
  }
}
