// Kafka's own Java client (kafka-clients, among the broker's jars in .cache/kafka/libs), for tests that
// must see bytes exactly as Java producers write them: java/JavaKafkaClient.java is compiled with javac
// once per test process and run with the values on stdin, one per line.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const libs = process.env.KAFKA_LIBS_DIR?.trim() || join(root, '.cache', 'kafka', 'libs');
const source = join(__dirname, 'java', 'JavaKafkaClient.java');

// C1 only and the serial collector, as the test broker (scripts/kafka.sh): a short JVM spends less on
// compiling and collecting. A run of the client 1.2 -> 0.75 CPU s, javac 1.9 -> 1.7 (2026-12-06).
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

let classDir: string | undefined;

function compiled(): string {
	if (classDir) return classDir;
	if (!existsSync(libs)) {
		throw new Error(`Kafka's jars are not in ${libs}: run scripts/kafka.sh install (scripts/ground.sh start does)`);
	}
	const out = mkdtempSync(join(tmpdir(), 'java-kafka-client-'));
	execFileSync('javac', [...JVM_FLAGS.map((flag) => `-J${flag}`), '-nowarn', '-cp', `${libs}/*`, '-d', out, source], { stdio: ['ignore', 'ignore', 'inherit'] });
	classDir = out;
	return out;
}

function run(args: string[], values: readonly string[]): Promise<Buffer> {
	for (const value of values) {
		if (/[\r\n]/.test(value)) throw new Error('JavaKafkaClient takes one value per line: a value must not contain a line break');
	}
	const classpath = `${compiled()}:${libs}/*`;
	return new Promise((resolvePromise, reject) => {
		const child = execFile(
			'java',
			['-Xmx256m', ...JVM_FLAGS, '-Dlog4j2.level=warn', '-cp', classpath, 'JavaKafkaClient', ...args],
			{ encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) reject(new Error(`JavaKafkaClient ${args.join(' ')} failed: ${error.message}\n${stderr.toString()}`));
				else resolvePromise(stdout);
			},
		);
		child.stdin?.end(values.map((v) => `${v}\n`).join(''));
	});
}

/** Sends `values` (key = index) with Java's KafkaProducer and the given `compression.type`. */
export async function produceWithJavaClient(brokers: string[], topic: string, compression: string, values: readonly string[]): Promise<void> {
	await run(['produce', brokers.join(','), topic, compression], values);
}

/**
 * Sends each message's value with its headers, in order, with Java's KafkaProducer (no key). A header
 * value null is a header without a value, which Kafka allows and kafkajs' producer cannot send.
 */
export async function produceHeadersWithJavaClient(
	brokers: string[],
	topic: string,
	messages: ReadonlyArray<{ headers: ReadonlyArray<[string, string | null]>; value: string }>,
): Promise<void> {
	const lines = messages.map(({ headers, value }) => {
		for (const [name, text] of headers) if (/[,=\t]/.test(name) || (text !== null && /[,\t]/.test(text))) throw new Error(`header ${name} cannot be written on one line`);
		return `${headers.map(([name, text]) => (text === null ? name : `${name}=${text}`)).join(',')}\t${value}`;
	});
	await run(['produce-headers', brokers.join(','), topic], lines);
}

/** `values` as Kafka's Java client stores them in message format `magic` (0, 1 or 2), compressed with `compression`. */
export function javaRecordSet(magic: 0 | 1 | 2, compression: string, values: readonly string[]): Promise<Buffer> {
	return run(['records', String(magic), compression], values);
}

/**
 * produceWithJavaClient for several topics, from one JVM (each start costs about a second of CPU):
 * each topic's `values` (key = index within the topic) sent with its own `compression.type`.
 */
export async function produceManyWithJavaClient(
	brokers: string[],
	jobs: ReadonlyArray<{ topic: string; compression: string; values: readonly string[] }>,
): Promise<void> {
	await run(
		['produce-many', brokers.join(','), ...jobs.flatMap((job) => [job.topic, job.compression, String(job.values.length)])],
		jobs.flatMap((job) => job.values),
	);
}

/** javaRecordSet for several record sets, from one JVM; the sets in the order of `jobs`. */
export async function javaRecordSets(jobs: ReadonlyArray<{ magic: 0 | 1 | 2; compression: string; values: readonly string[] }>): Promise<Buffer[]> {
	const out = await run(
		['records-many', ...jobs.flatMap((job) => [String(job.magic), job.compression, String(job.values.length)])],
		jobs.flatMap((job) => job.values),
	);
	const sets: Buffer[] = [];
	for (let at = 0; at < out.length; ) {
		const length = out.readInt32BE(at);
		sets.push(out.subarray(at + 4, at + 4 + length));
		at += 4 + length;
	}
	if (sets.length !== jobs.length) throw new Error(`JavaKafkaClient records-many wrote ${sets.length} record sets, ${jobs.length} asked for`);
	return sets;
}
