/** How a command talks to the user: human lines on stderr, or one JSON document on stdout with --json. */
export interface CliOutput {
  /** A human progress/status line (silent with --json). */
  log(message: string): void;
  /** The command's result: JSON with --json, else the human summary text. */
  result(value: unknown, human: string): void;
  readonly json: boolean;
}

/** Output for the global options. */
export function cliOutput(json: boolean): CliOutput {
  return {
    json,
    log(message) {
      if (!json) process.stderr.write(`${message}\n`);
    },
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
    },
  };
}
