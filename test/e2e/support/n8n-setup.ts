// Puts credentials and example workflows into a RUNNING n8n through its REST API and publishes them.
// Faster than the host's CLI import (each `n8n import:*` / `publish:workflow` boots n8n's CLI: seconds
// each), which matters when one n8n instance serves several test cases.
import type { N8nHost } from '../../ground/n8n/host';
import { EXAMPLE_CREDENTIALS, type ExampleWorkflow, type WorkflowTarget } from './examples';

export interface Endpoints {
	kafkaBrokers: string[];
	doris: { feUrl: string; mysqlPort: number; user: string; password: string; database: string };
}

export type CredentialRefs = NonNullable<WorkflowTarget['credentials']>;

/** The three credentials the examples use, in n8n's shape, pointed at `endpoints`. */
export function credentialData(endpoints: Endpoints): Record<keyof typeof EXAMPLE_CREDENTIALS, Record<string, unknown>> {
	const brokers = endpoints.kafkaBrokers.join(',');
	return {
		kafka: { brokers, clientId: 'n8n-doris-sinker', ssl: false, authentication: false },
		doris: {
			feUrls: endpoints.doris.feUrl,
			queryPort: endpoints.doris.mysqlPort,
			user: endpoints.doris.user,
			password: endpoints.doris.password,
			database: endpoints.doris.database,
		},
		// n8n's own `kafka` credential: ssl defaults to true there, which a PLAINTEXT broker refuses.
		deadLetters: { brokers, clientId: 'n8n-doris-sinker-dead-letters', ssl: false, authentication: false },
	};
}

/** Creates the examples' credentials; returns references to put into the workflows. */
export async function createCredentials(host: N8nHost, endpoints: Endpoints): Promise<CredentialRefs> {
	const data = credentialData(endpoints);
	const refs: CredentialRefs = {};
	for (const key of Object.keys(EXAMPLE_CREDENTIALS) as Array<keyof typeof EXAMPLE_CREDENTIALS>) {
		const { type, name } = EXAMPLE_CREDENTIALS[key];
		const created = await host.rest.createCredential({ name, type, data: data[key] });
		refs[key] = { id: created.id, name: created.name };
	}
	return refs;
}

/** Creates the workflow and publishes it; resolves when its trigger runs. Returns the n8n id. */
export async function deployWorkflow(host: N8nHost, workflow: ExampleWorkflow): Promise<string> {
	// n8n assigns ids itself on create; the example's id only matters for CLI imports.
	const { id: _exampleId, ...body } = workflow;
	const created = await host.rest.createWorkflow(body);
	await host.activate(created.id);
	return created.id;
}
