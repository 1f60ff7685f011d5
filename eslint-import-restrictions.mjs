// The layering of this package, enforced (docs/architecture.md draws it):
//
//   nodes/ ──> src/batch ──> src/doris ──┐
//     │                                   ├──> src/metrics ──> src/common
//     └──────> src/kafka ─────────────────┘
//   (every src folder may also import src/common directly)
//
// - src/ never imports n8n: it is the logic, unit-tested without n8n, and nodes/ is its n8n face.
// - src/kafka and src/doris never import each other; src/batch (the shared Stream Load batches) sits
//   above src/doris and never the other way round; src/common imports no other src folder.
// - Each client library has one home: kafkajs in src/kafka, undici and mysql2 in src/doris,
//   prom-client in src/metrics (snappy and lz4-napi, the Kafka codecs, and the Schema Registry client
//   with avsc and protobufjs in src/kafka). nodes/ reaches them only through src/.
//
// ESLint flat config replaces (does not merge) a rule's options for a file matched by several
// blocks, so each folder gets ONE block holding every restriction that applies to it; the blocks
// below never overlap. Relative imports are matched by regex: from anywhere in src/<folder>/, a
// specifier `../kafka/…` or `../../kafka/…` reaches src/kafka.

const N8N = ['n8n-workflow', 'n8n-core'];
const LIBRARIES = {
	kafka: ['kafkajs', '@kafkajs/confluent-schema-registry', 'avsc', 'protobufjs', 'snappy', 'lz4-napi'],
	doris: ['undici', 'mysql2', 'mysql2/promise'],
	metrics: ['prom-client'],
};
const SRC_FOLDERS = ['common', 'metrics', 'kafka', 'doris', 'batch'];
/** What each src folder may import from the others. */
const MAY_IMPORT = {
	common: [],
	metrics: ['common'],
	kafka: ['common', 'metrics'],
	doris: ['common', 'metrics'],
	batch: ['common', 'metrics', 'doris'],
};

const reaches = (folder) => `^(\\.\\./)+${folder}(/|$)`;

function libraryPaths(except) {
	return Object.entries(LIBRARIES)
		.filter(([home]) => home !== except)
		.flatMap(([home, names]) =>
			names.map((name) => ({ name, message: `${name} lives in src/${home} only: use what src/${home} exports.` })),
		);
}

function restrict(paths, patterns) {
	return { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] };
}

const noN8nInSrc = N8N.map((name) => ({ name, message: 'src/ is n8n-free: n8n types and errors belong to nodes/ (the n8n face).' }));
const noNodesInSrc = {
	regex: reaches('(nodes|credentials|test|bench)'),
	caseSensitive: true,
	message: 'src/ never imports nodes/, credentials/, test/ or bench/.',
};

function srcFolderBlock(folder) {
	const forbidden = SRC_FOLDERS.filter((other) => other !== folder && !MAY_IMPORT[folder].includes(other));
	const patterns = [noNodesInSrc];
	if (folder === 'common') {
		patterns.push({ regex: '^\\.\\./', message: 'src/common imports no other src folder: it is the vocabulary every layer shares.' });
	} else if (forbidden.length > 0) {
		patterns.push({
			regex: reaches(`(${forbidden.join('|')})`),
			caseSensitive: true,
			message: `src/${folder} may import only ${MAY_IMPORT[folder].map((f) => `src/${f}`).join(', ')} among the src folders (docs/architecture.md).`,
		});
	}
	return { files: [`src/${folder}/**/*.ts`], rules: restrict([...noN8nInSrc, ...libraryPaths(folder)], patterns) };
}

export const importRestrictions = [
	// Files directly in src/ or in a folder not listed above: the rules every src file follows.
	{ files: ['src/**/*.ts'], rules: restrict([...noN8nInSrc, ...libraryPaths(undefined)], [noNodesInSrc]) },
	...SRC_FOLDERS.map(srcFolderBlock),
	{
		// The n8n face: settings, credentials, wiring. Client libraries only through src/.
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: restrict(libraryPaths(undefined), [{ regex: reaches('(test|bench)'), caseSensitive: true, message: 'nodes/ never imports test/ or bench/.' }]),
	},
];
