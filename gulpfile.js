// Copies the node and credential icons next to the compiled code: n8n resolves `file:` icons
// relative to the .node.js / .credentials.js file it loads from dist/.
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist')),
);
