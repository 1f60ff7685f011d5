// The one place that names the test broker's SASL users. scripts/kafka.sh renders the broker's
// JAAS config and the SCRAM credentials seeded at format time from this file (render-config.ts).

export interface SaslUser {
	readonly username: string;
	readonly password: string;
}

/** Broker super-user; also the PLAIN login the broker itself holds on the SASL listener. */
export const adminUser: SaslUser = { username: 'admin', password: 'admin-secret' };

/** The user the sinker's tests log in as (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
export const sinkerUser: SaslUser = { username: 'sinker', password: 'sinker-secret' };

export const saslUsers: readonly SaslUser[] = [adminUser, sinkerUser];

/** SCRAM mechanisms whose credentials are seeded for every user at format time. */
export const scramMechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
