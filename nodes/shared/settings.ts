/**
 * The one way the three nodes read their parameters. Each node's settings reader (settings.ts) reads
 * every parameter once, through the small named converters of src/common/settings.ts, into a typed
 * settings object; the rest of the node never calls getNodeParameter. A parameter the user left
 * unset takes the default its node description declares (which in turn names the defaults src/
 * exports, e.g. SINKER_DEFAULTS, LOAD_DEFAULTS), as n8n itself fills top-level parameters at run
 * time: no default is written twice.
 *
 * A converter throws a SettingError naming the field, the value and the rule; `readNodeSettings`
 * shows it on the node as a NodeOperationError.
 */
import { NodeOperationError, type INode, type INodeProperties } from 'n8n-workflow';

/**
 * Runs a settings reader; its SettingError, or an Error from a src/ check it calls (label prefix,
 * topics, consumer options), becomes a NodeOperationError on the node, which fails the execution or
 * the activation before anything is consumed or loaded.
 */
export function readNodeSettings<T>(node: INode, read: () => T): T {
	try {
		return read();
	} catch (error) {
		throw new NodeOperationError(node, error instanceof Error ? error.message : String(error));
	}
}

/**
 * The name a Database or Table field holds: version 1 stores it as a string, version 1.1 as a resource
 * locator (`{ __rl: true, mode, value }`, nodes/shared/doris-fields.ts). Anything else reads as ''.
 */
export function locatedName(value: unknown): string {
	const raw = isResourceLocator(value) ? value.value : value;
	return typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
}

function isResourceLocator(value: unknown): value is { __rl: true; value: unknown } {
	return typeof value === 'object' && value !== null && '__rl' in value && 'value' in value;
}

/** Where a node's parameters come from: n8n's getNodeParameter, with or without an item index. */
export type ReadParameter = (name: string, fallback: unknown) => unknown;

export interface NodeParameters {
	/**
	 * A top-level parameter; unset means the description's default (or `fallback` when given). A
	 * resource locator reads as the value it holds, so both versions of a field read alike.
	 */
	param(name: string, fallback?: unknown): unknown;
	/** A field of the `options` collection; unset or null means the description's default (or `fallback`). */
	option(name: string, fallback?: unknown): unknown;
	/** The description's default of an `options` field, whatever is stored (options hidden by the operation). */
	optionDefault(name: string): unknown;
}

function defaultsOf(properties: ReadonlyArray<INodeProperties>): Map<string, unknown> {
	const defaults = new Map<string, unknown>();
	// First declaration wins: a name declared twice (per version or format) shares one default here.
	for (const p of properties) if (!defaults.has(p.name)) defaults.set(p.name, p.default);
	return defaults;
}

function isProperty(option: unknown): option is INodeProperties {
	return typeof option === 'object' && option !== null && 'displayName' in option && 'default' in option;
}

/**
 * The defaults of a node description, worked out once per description: every execution reads its
 * settings, and walking the description's properties each time showed in the profile of n8n's main
 * thread (the descriptions are module constants).
 */
const defaultsByDescription = new WeakMap<ReadonlyArray<INodeProperties>, { topDefaults: Map<string, unknown>; optionDefaults: Map<string, unknown> }>();

function descriptionDefaults(properties: ReadonlyArray<INodeProperties>): { topDefaults: Map<string, unknown>; optionDefaults: Map<string, unknown> } {
	let defaults = defaultsByDescription.get(properties);
	if (defaults === undefined) {
		const collection = properties.find((p) => p.name === 'options' && p.type === 'collection');
		defaults = { topDefaults: defaultsOf(properties), optionDefaults: defaultsOf((collection?.options ?? []).filter(isProperty)) };
		defaultsByDescription.set(properties, defaults);
	}
	return defaults;
}

/**
 * The parameters of one node, defaulted from its description. Asking for a name the description does
 * not declare (without a fallback) throws: a misspelt name would otherwise read as "unset" forever.
 */
export function nodeParameters(properties: ReadonlyArray<INodeProperties>, read: ReadParameter): NodeParameters {
	const { topDefaults, optionDefaults } = descriptionDefaults(properties);
	const defaultOf = (defaults: Map<string, unknown>, name: string, fallback: unknown): unknown => {
		if (fallback !== undefined) return fallback;
		if (!defaults.has(name)) throw new Error(`The node description declares no parameter "${name}"`);
		return defaults.get(name);
	};
	let options: Record<string, unknown> | undefined;
	return {
		param(name, fallback) {
			const byDefault = defaultOf(topDefaults, name, fallback);
			const value = read(name, byDefault) ?? byDefault;
			return isResourceLocator(value) ? value.value : value;
		},
		option(name, fallback) {
			// The one untyped read: n8n gives a collection as a plain object holding only the fields set.
			options ??= (read('options', {}) ?? {}) as Record<string, unknown>;
			const value = options[name];
			return value === undefined || value === null ? defaultOf(optionDefaults, name, fallback) : value;
		},
		optionDefault(name) {
			return defaultOf(optionDefaults, name, undefined);
		},
	};
}

