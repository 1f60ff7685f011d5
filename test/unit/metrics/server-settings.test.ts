import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsSettingsFromEnv } from '../../../src/metrics/server-settings';

describe('metricsSettingsFromEnv', () => {
	it('is off by default, on 127.0.0.1:9090 without profiling', () => {
		assert.deepEqual(metricsSettingsFromEnv({}), { enabled: false, port: 9090, host: '127.0.0.1', profiling: false });
	});

	it('is enabled by DORIS_SINKER_METRICS=true or by a port', () => {
		assert.equal(metricsSettingsFromEnv({ DORIS_SINKER_METRICS: 'true' }).enabled, true);
		assert.deepEqual(metricsSettingsFromEnv({ DORIS_SINKER_METRICS_PORT: '9464', DORIS_SINKER_METRICS_HOST: '0.0.0.0', DORIS_SINKER_PROFILING: 'yes' }), {
			enabled: true,
			port: 9464,
			host: '0.0.0.0',
			profiling: true,
		});
	});

	it('lets DORIS_SINKER_METRICS=false win over a port', () => {
		assert.equal(metricsSettingsFromEnv({ DORIS_SINKER_METRICS: 'off', DORIS_SINKER_METRICS_PORT: '9090' }).enabled, false);
	});

	it('names the variable and the value it rejects', () => {
		assert.throws(() => metricsSettingsFromEnv({ DORIS_SINKER_METRICS: 'maybe' }), /DORIS_SINKER_METRICS must be true or false, got "maybe"/);
		assert.throws(() => metricsSettingsFromEnv({ DORIS_SINKER_METRICS_PORT: '70000' }), /DORIS_SINKER_METRICS_PORT must be a port number from 0 to 65535, got "70000"/);
		assert.throws(() => metricsSettingsFromEnv({ DORIS_SINKER_PROFILING: '2' }), /DORIS_SINKER_PROFILING must be true or false, got "2"/);
	});
});
