/** How to reach Kafka, as read from the Kafka credential; turned into a kafkajs config by src/kafka. */
export interface KafkaConnection {
	brokers: string[];
	clientId: string;
	tls?: KafkaTlsOptions;
	sasl?: KafkaSaslOptions;
}

export interface KafkaTlsOptions {
	ca?: string;
	cert?: string;
	key?: string;
	rejectUnauthorized: boolean;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSaslOptions {
	mechanism: KafkaSaslMechanism;
	username: string;
	/** Never log it. */
	password: string;
}

/** Parses a comma-separated broker list (`host:port`), naming the bad entry on error. */
export function parseBrokers(raw: string): string[] {
	const brokers = raw
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
	if (brokers.length === 0) throw new Error('Kafka brokers: at least one host:port is required');
	for (const broker of brokers) {
		if (!/^[^:\s/]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
			throw new Error(`Kafka broker "${broker}" is not host:port`);
		}
	}
	return brokers;
}
