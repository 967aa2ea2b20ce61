// `npm run bench -- <subcommand> …`: the benchmark runners that take options. (The latency benchmarks are
// still run directly with `npx tsx bench/<name>.ts`.)
import { qualityCommand, QUALITY_USAGE } from './quality/command.ts';
import { KNOWLEDGE_REPORT_USAGE, KNOWLEDGE_USAGE, knowledgeCommand, knowledgeReportCommand } from './quality/knowledge-curve.ts';
import { mergeCommand, MERGE_USAGE } from './quality/merge.ts';
import { pairedCommand, PAIRED_USAGE } from './quality/paired.ts';

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  quality: qualityCommand,
  'quality-merge': mergeCommand,
  'quality-paired': pairedCommand,
  'knowledge-curve': knowledgeCommand,
  'knowledge-report': knowledgeReportCommand,
};

// `… | head` closes the pipe early: stop quietly, as a Unix filter does, instead of an unhandled EPIPE trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const [sub, ...rest] = process.argv.slice(2);
const command = sub ? commands[sub] : undefined;
if (!command) {
  process.stderr.write(`usage:\n  ${QUALITY_USAGE}\n  ${MERGE_USAGE}\n  ${PAIRED_USAGE}\n  ${KNOWLEDGE_USAGE}\n  ${KNOWLEDGE_REPORT_USAGE}\n`);
  process.exit(2);
}
try {
  process.exitCode = await command(rest);
} catch (err) {
  process.stderr.write(`bench ${sub}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
