/**
 * Regexes from a rules file run on every message, on input a remote party controls, so a regex
 * that backtracks could let one crafted header stall the relay. A static check (safe-regex style)
 * misses patterns such as `(a|aa)*c`, so rule regexes run on RE2 instead: an automaton engine whose
 * matching time is linear in the input, whatever the pattern. A pattern must be valid JavaScript
 * (what the schema promises) and something RE2 can run: backreferences and lookaround, which only
 * backtracking can match, are refused at load with the reason.
 */
import RE2 from 're2';

export type RegexResult = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly message: string };

export function compileRegex(source: string, flags = ''): RegexResult {
  try {
    new RegExp(source, flags);
  } catch (e) {
    return { ok: false, message: `invalid regex: ${(e as Error).message}` };
  }
  try {
    return { ok: true, regex: new RE2(source, flags) };
  } catch (e) {
    return {
      ok: false,
      message: `regex ${JSON.stringify(source)} needs backtracking (${(e as Error).message}); rule regexes run in linear time, without backreferences or lookaround: rewrite it`,
    };
  }
}
