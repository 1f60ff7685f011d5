/**
 * Scenario 4, what an n8n user builds without this package (bench/workflows/builtin-kafka-http.json):
 * n8n's own Kafka Trigger v1.3 (kafkajs) with its defaults — one execution per message, offsets
 * resolved on completion — and an HTTP Request node that PUTs each item as a one-row Stream Load.
 *
 * The HTTP Request node talks to the BE directly: through the FE it would have to replay the body
 * on the 307 and send the credentials to another origin (its "send credentials on cross-origin
 * redirect" option), which n8n users rarely get right; going to the BE only flatters this scenario.
 * It reads a smaller slice of the data set (--builtin-size): at a few hundred rows/s the full one
 * would take hours.
 */
import { launchInN8n } from './n8n';
import type { Scenario } from './scenarios';

export const n8nBuiltin: Scenario = {
	id: 'builtin',
	title: "n8n's Kafka Trigger + HTTP Request (one Stream Load per message)",
	launch: (cfg) => launchInN8n('builtin-kafka-http.json', cfg),
};
