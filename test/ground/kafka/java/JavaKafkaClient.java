// Kafka's own Java client, for tests that need bytes exactly as Java producers write them.
// Compiled at test time against the broker's jars (.cache/kafka/libs) by java-client.ts.
//   produce BOOTSTRAP TOPIC COMPRESSION   values from stdin, one per line (key = line number from 0),
//                                         sent by KafkaProducer with compression.type COMPRESSION
//   produce-headers BOOTSTRAP TOPIC       lines "HEADERS<TAB>VALUE" from stdin, HEADERS a comma-separated list of
//                                         name=text or a bare name (a header without a value: null), in order
//   records MAGIC COMPRESSION             values from stdin as one stored record set of message format
//                                         MAGIC (0, 1, 2), written to stdout as the broker would send it
//   produce-many BOOTSTRAP (TOPIC COMPRESSION COUNT)…
//                                         `produce` for several topics in one JVM: the first COUNT lines of
//                                         stdin go to the first TOPIC, the next COUNT to the second, …
//   records-many (MAGIC COMPRESSION COUNT)…
//                                         `records` for several record sets in one JVM, each written to
//                                         stdout after its length (int32, big-endian)
// The -many modes exist because each JVM start costs about a second of CPU (kafka-clients' classes):
// a test needing several topics or record sets starts one instead of one each.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaKafkaClient {
    public static void main(String[] args) throws Exception {
        List<byte[]> values = readValues();
        switch (args[0]) {
            case "produce" -> produce(args[1], args[2], args[3], values);
            case "produce-headers" -> produceHeaders(args[1], args[2], values);
            case "records" -> System.out.write(records(Byte.parseByte(args[1]), args[2], values));
            case "produce-many" -> {
                int from = 0;
                for (int at = 2; at + 2 < args.length; at += 3) {
                    int count = Integer.parseInt(args[at + 2]);
                    produce(args[1], args[at], args[at + 1], values.subList(from, from + count));
                    from += count;
                }
                if (from != values.size()) throw new IllegalArgumentException("produce-many: the counts add up to " + from + ", stdin has " + values.size() + " lines");
            }
            case "records-many" -> {
                int from = 0;
                java.io.DataOutputStream out = new java.io.DataOutputStream(System.out);
                for (int at = 1; at + 2 < args.length; at += 3) {
                    int count = Integer.parseInt(args[at + 2]);
                    byte[] set = records(Byte.parseByte(args[at]), args[at + 1], values.subList(from, from + count));
                    out.writeInt(set.length);
                    out.write(set);
                    from += count;
                }
                if (from != values.size()) throw new IllegalArgumentException("records-many: the counts add up to " + from + ", stdin has " + values.size() + " lines");
                out.flush();
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static List<byte[]> readValues() throws Exception {
        List<byte[]> values = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) values.add(line.getBytes(StandardCharsets.UTF_8));
        return values;
    }

    private static void produce(String bootstrap, String topic, String compression, List<byte[]> values) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        // Many records per batch, so each compressed batch holds several messages and blocks.
        props.put(ProducerConfig.LINGER_MS_CONFIG, "100");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, String.valueOf(i).getBytes(StandardCharsets.UTF_8), values.get(i)));
            }
            producer.flush();
        }
        System.out.println(values.size());
    }

    private static void produceHeaders(String bootstrap, String topic, List<byte[]> lines) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (byte[] bytes : lines) {
                String line = new String(bytes, StandardCharsets.UTF_8);
                int tab = line.indexOf('\t');
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, line.substring(tab + 1).getBytes(StandardCharsets.UTF_8));
                for (String header : line.substring(0, tab).split(",")) {
                    int eq = header.indexOf('=');
                    if (eq < 0) record.headers().add(header, null);
                    else record.headers().add(header.substring(0, eq), header.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
                }
                producer.send(record);
            }
            producer.flush();
        }
        System.out.println(lines.size());
    }

    private static byte[] records(byte magic, String compression, List<byte[]> values) throws Exception {
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1 << 22), magic,
                Compression.of(compression).build(), magic == 0 ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < values.size(); i++) {
            builder.append(magic == 0 ? -1L : 1_700_000_000_000L + i, String.valueOf(i).getBytes(StandardCharsets.UTF_8), values.get(i));
        }
        ByteBuffer buffer = builder.build().buffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
