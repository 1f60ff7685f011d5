/**
 * The one way this package changes kafkajs' own code: a method of a class inside kafkajs
 * (node_modules/kafkajs/src/...) replaced on its prototype, once, and only in the kafkajs version the
 * replacement was written for. Each patch reads private fields and relies on the exact behaviour of
 * the method it replaces; under another kafkajs those may differ, and a patch applied blindly there
 * could break the consumer instead of fixing it. So another version is left unpatched and the
 * installer says so (false), and the caller keeps kafkajs' own behaviour.
 *
 * The patches: request-queue-fix.ts (idle timers), aborted-transactions.ts (read_committed filter),
 * offset-reset-watch.ts (positions reset after OffsetOutOfRange), rebalance-hook.ts (drain before rejoin),
 * coordinator-lookup.ts (a failed group coordinator lookup keeps the brokers' answer, so kafkajs restarts),
 * stop-after-close.ts (a restart under way when the consumer closed leaves the group), corrupt-batch-watch.ts
 * (record batches CRC-checked before they are decoded; it also replaces a module's exported function,
 * kafkajsModulePatch, where kafkajs has no class: its Fetch response decoders), record-decoder.ts (each
 * record's offset and timestamp without BigInts; a whole module put into Node's module cache before
 * kafkajs reads it, kafkajsModuleBeforeLoad).
 */
import { createRequire, Module } from 'node:module';

/** The kafkajs release every patch was written against; kafkajs has had none since (2023). */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

/** How a patch loads kafkajs' files: Node's require, relative to this package (a test may give its own). */
export type KafkajsLoader = (path: string) => unknown;

/**
 * An installer of one patch: the first call checks the installed kafkajs version and, when it is
 * PATCHED_KAFKAJS_VERSION, loads `modulePath` (a class inside kafkajs) and sets its prototype's `method`
 * to what `replace` makes of the original. It returns whether the patch is in place; later calls return
 * the same answer and change nothing, so every client may call it.
 */
export function kafkajsPatch<Prototype, Method extends keyof Prototype>(
	modulePath: string,
	method: Method,
	replace: (original: Prototype[Method]) => Prototype[Method],
	load: KafkajsLoader = createRequire(__filename),
): () => boolean {
	return patchOnce(load, () => {
		const { prototype } = load(modulePath) as { prototype: Prototype };
		prototype[method] = replace(prototype[method]);
	});
}

/**
 * kafkajsPatch for a function a kafkajs module exports on an object (`module.exports = { decode, parse }`):
 * the property is replaced on that object, which every caller reads at each call (kafkajs' Connection
 * calls `response.decode(payload)` on the module it was handed). Same version rule and answer.
 */
export function kafkajsModulePatch<Exports, Name extends keyof Exports>(
	modulePath: string,
	name: Name,
	replace: (original: Exports[Name]) => Exports[Name],
	load: KafkajsLoader = createRequire(__filename),
): () => boolean {
	return patchOnce(load, () => {
		const exports = load(modulePath) as Exports;
		exports[name] = replace(exports[name]);
	});
}

/**
 * A kafkajs module whose whole export is a function another kafkajs file reads into a constant when it
 * loads (`const RecordDecoder = require('../record/v0/decoder')`): no later change reaches that constant.
 * So `replacement` is put into Node's module cache as `modulePath` before `capturedBy` is first
 * required. Once `capturedBy` is loaded it is too late: kafkajs keeps its own and the installer says
 * false, as it does under another kafkajs version.
 */
export function kafkajsModuleBeforeLoad(
	modulePath: string,
	capturedBy: string,
	replacement: unknown,
	nodeRequire: NodeJS.Require = createRequire(__filename),
): () => boolean {
	return patchOnce(nodeRequire, () => {
		if (nodeRequire.cache[nodeRequire.resolve(capturedBy)] !== undefined) return false;
		const file = nodeRequire.resolve(modulePath);
		const module = new Module(file);
		module.filename = file;
		module.exports = replacement;
		module.loaded = true;
		nodeRequire.cache[file] = module;
		return true;
	});
}

function patchOnce(load: KafkajsLoader, apply: () => boolean | void): () => boolean {
	let applied: boolean | undefined;
	return () => {
		if (applied !== undefined) return applied;
		const { version } = load('kafkajs/package.json') as { version: string };
		if (version !== PATCHED_KAFKAJS_VERSION) return (applied = false);
		return (applied = apply() !== false);
	};
}
