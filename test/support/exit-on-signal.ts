// Preloaded into every test process by scripts/test.sh (`--import`). By default Node dies on Ctrl-C
// and SIGTERM without running 'exit' listeners, and those listeners are what take down the processes
// a test file started in their own process groups (n8n and its task runner, queue-mode workers, a
// private Kafka broker): without this they outlive an interrupted `npm test`.
for (const [signal, code] of [
	['SIGINT', 130],
	['SIGTERM', 143],
] as const) {
	process.once(signal, () => process.exit(code));
}
