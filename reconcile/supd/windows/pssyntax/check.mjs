// check.mjs FILE... — parses each file with the tree-sitter PowerShell
// grammar and prints one line per ERROR or MISSING node:
//   FILE:LINE:COL: syntax error near "…"   |   FILE:LINE:COL: missing X
// Exit 0: every file parses cleanly; 1: problems found; 2: usage or load error.
import { readFileSync } from 'node:fs';

let Parser, PowerShell;
try {
  Parser = (await import('tree-sitter')).default;
  PowerShell = (await import('tree-sitter-powershell')).default;
} catch (err) {
  console.error(`pssyntax: cannot load tree-sitter (run "npm ci" in ${new URL('.', import.meta.url).pathname}): ${err.message}`);
  process.exit(2);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
const parser = new Parser();
parser.setLanguage(PowerShell);

let problems = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // The node binding's parse(string) reads at most 32 KiB per chunk; the
  // callback form reads any length.
  const tree = parser.parse((index) => text.slice(index, index + 16384));
  const walk = (node) => {
    if (node.isMissing) {
      problems++;
      console.log(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: missing ${node.type}`);
    } else if (node.type === 'ERROR') {
      problems++;
      const near = text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 40)).replace(/\s+/g, ' ');
      console.log(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: syntax error near "${near}"`);
    }
    if (node.hasError) {
      for (const child of node.children) walk(child);
    }
  };
  walk(tree.rootNode);
}
process.exit(problems > 0 ? 1 : 0);
