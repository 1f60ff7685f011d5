// kafkajsPatch (src/kafka/kafkajs-patch.ts) with a stand-in loader: a method is replaced once, and
// only under the kafkajs version the patches were written for; another version is left untouched.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { kafkajsModuleBeforeLoad, kafkajsModulePatch, kafkajsPatch, PATCHED_KAFKAJS_VERSION } from '../../../src/kafka/kafkajs-patch';

interface Greeter {
	greet(name: string): string;
}

/** A kafkajs stand-in of the given version holding one class; records which paths were loaded. */
function fakeKafkajs(version: string) {
	class FakeGreeter implements Greeter {
		greet(name: string): string {
			return `hello ${name}`;
		}
	}
	const loaded: string[] = [];
	const load = (path: string): unknown => {
		loaded.push(path);
		if (path === 'kafkajs/package.json') return { version };
		if (path === 'kafkajs/src/greeter.js') return FakeGreeter;
		throw new Error(`unexpected path ${path}`);
	};
	return { FakeGreeter, load, loaded };
}

/** A patch that appends "!" to greet, on `load`'s kafkajs; `wraps` counts how often it was made. */
function exclaimPatch(load: (path: string) => unknown) {
	const made = { wraps: 0 };
	const install = kafkajsPatch<Greeter, 'greet'>(
		'kafkajs/src/greeter.js',
		'greet',
		(original) => {
			made.wraps++;
			return function (this: Greeter, name: string) {
				return `${original.call(this, name)}!`;
			};
		},
		load,
	);
	return { install, made };
}

describe('kafkajsPatch', () => {
	it('replaces the method with what the patch makes of the original', () => {
		const kafkajs = fakeKafkajs(PATCHED_KAFKAJS_VERSION);
		const { install } = exclaimPatch(kafkajs.load);
		assert.equal(new kafkajs.FakeGreeter().greet('a'), 'hello a', 'nothing changes before the installer runs');
		assert.equal(install(), true);
		assert.equal(new kafkajs.FakeGreeter().greet('a'), 'hello a!');
	});

	it('applies once however often it is called, and gives the same answer each time', () => {
		const kafkajs = fakeKafkajs(PATCHED_KAFKAJS_VERSION);
		const { install, made } = exclaimPatch(kafkajs.load);
		assert.equal(install(), true);
		assert.equal(install(), true);
		assert.equal(made.wraps, 1);
		assert.equal(new kafkajs.FakeGreeter().greet('b'), 'hello b!', 'wrapped once, not twice');
		assert.deepEqual(kafkajs.loaded, ['kafkajs/package.json', 'kafkajs/src/greeter.js'], 'kafkajs read once');
	});

	it('leaves another kafkajs version untouched, without loading the patched module, and says so', () => {
		const kafkajs = fakeKafkajs('2.3.0');
		const { install, made } = exclaimPatch(kafkajs.load);
		assert.equal(install(), false);
		assert.equal(install(), false);
		assert.equal(made.wraps, 0);
		assert.deepEqual(kafkajs.loaded, ['kafkajs/package.json'], 'the version asked once, the module never loaded');
		assert.equal(new kafkajs.FakeGreeter().greet('c'), 'hello c');
	});

	it('kafkajsModulePatch replaces a function a module exports on an object, once, and only on the patched version', () => {
		const exports = { decode: (raw: string) => `decoded ${raw}` };
		const loader = (version: string) => (path: string): unknown => (path === 'kafkajs/package.json' ? { version } : exports);
		const wrap = (decode: (raw: string) => string) => (raw: string) => `checked ${decode(raw)}`;
		const other = kafkajsModulePatch<typeof exports, 'decode'>('kafkajs/src/response.js', 'decode', wrap, loader('2.3.0'));
		assert.equal(other(), false);
		assert.equal(exports.decode('x'), 'decoded x');
		const install = kafkajsModulePatch<typeof exports, 'decode'>('kafkajs/src/response.js', 'decode', wrap, loader(PATCHED_KAFKAJS_VERSION));
		assert.equal(install(), true);
		assert.equal(install(), true);
		assert.equal(exports.decode('x'), 'checked decoded x', 'wrapped once');
	});

	it('kafkajsModuleBeforeLoad puts a module into the cache before its reader loads, and refuses once the reader is loaded', () => {
		/** A stand-in for Node's require: a version, a module cache, paths resolved under /kafkajs. */
		const fakeRequire = (version: string, cache: Record<string, { exports: unknown } | undefined>) =>
			Object.assign((path: string): unknown => (path === 'kafkajs/package.json' ? { version } : cache[`/${path}`]?.exports), {
				resolve: (path: string) => `/${path}`,
				cache,
			}) as unknown as NodeJS.Require;
		const replacement = () => 'fast';

		const early: Record<string, { exports: unknown } | undefined> = {};
		const install = kafkajsModuleBeforeLoad('kafkajs/src/record.js', 'kafkajs/src/batch.js', replacement, fakeRequire(PATCHED_KAFKAJS_VERSION, early));
		assert.equal(install(), true);
		assert.equal(install(), true);
		assert.equal(early['/kafkajs/src/record.js']?.exports, replacement, 'the reader will find the replacement');

		const late: Record<string, { exports: unknown } | undefined> = { '/kafkajs/src/batch.js': { exports: 'loaded, holding the original' } };
		const tooLate = kafkajsModuleBeforeLoad('kafkajs/src/record.js', 'kafkajs/src/batch.js', replacement, fakeRequire(PATCHED_KAFKAJS_VERSION, late));
		assert.equal(tooLate(), false, 'the reader holds the original already');
		assert.equal(late['/kafkajs/src/record.js'], undefined, 'nothing put into the cache');

		const other: Record<string, { exports: unknown } | undefined> = {};
		assert.equal(kafkajsModuleBeforeLoad('kafkajs/src/record.js', 'kafkajs/src/batch.js', replacement, fakeRequire('2.3.0', other))(), false);
		assert.deepEqual(other, {}, 'another kafkajs version: left alone');
	});

	it('the installed kafkajs is the version the patches were written for', () => {
		// Upgrading kafkajs switches every patch off: this fails first, so the upgrade re-reads them.
		const { version } = createRequire(__filename)('kafkajs/package.json') as { version: string };
		assert.equal(version, PATCHED_KAFKAJS_VERSION);
	});
});
