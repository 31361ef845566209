// Exit 0 when two lockfiles differ only by optional packages present in one and not the other
// (other platforms' binaries a registry mirror may or may not list); 1 otherwise.
const { readFileSync } = require('node:fs');

const [before, after] = process.argv
  .slice(2)
  .map((file) => JSON.parse(readFileSync(file, 'utf8')).packages ?? {});
const names = new Set([...Object.keys(before), ...Object.keys(after)]);
const differing = [...names].filter((name) => {
  if (!(name in before)) return after[name].optional !== true;
  if (!(name in after)) return before[name].optional !== true;
  return JSON.stringify(before[name]) !== JSON.stringify(after[name]);
});
for (const name of differing) console.error(`setup: lockfile entry changed: ${name || '(root)'}`);
process.exit(differing.length === 0 ? 0 : 1);
