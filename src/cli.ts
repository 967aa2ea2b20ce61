import { resolve } from './cli/dispatch.ts';
import { out } from './cli/io.ts';

/*
 * The command line behind the npm scripts (`npm run <command> -- --help` shows each one).
 * Commands and their help are in src/cli/commands.ts, their implementations in src/cli/run/.
 * Everything heavier than the help is imported only when needed, so --help answers at once.
 */

async function main(argv: string[]): Promise<void> {
  // Help and usage errors come before the configuration is read, so they work in any environment.
  const r = resolve(argv);
  if (r.kind === 'help') return out(r.text);
  const { loadConfig } = await import('./config.ts');
  await r.command.run(loadConfig(), r.input);
}

// A reader that stops early (`| head`) is not a failure of the command.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit();
  throw err;
});

main(process.argv.slice(2)).catch(async (err: unknown) => {
  const { explain } = await import('./cli/fail.ts');
  process.exit(explain(err));
});
