/**
 * Why a git command against a remote failed, in words naming what to fix: git's own line is
 * kept (it names the host and the detail), and a known cause is put in front of it. Network
 * failures reach git through curl and ssh, whose messages differ by version; the patterns
 * match the stable parts.
 */
import { firstFatalLine, type GitCommandError } from './run-git.js';

interface KnownCause {
  /** Matches git's whole stderr when this is the cause. */
  when: RegExp;
  /** Matches the line of git's stderr that shows it best. */
  line: RegExp;
  cause: string;
}

const HOST_KEY_FAILED = /Host key verification failed/;
// curl's words differ by TLS library (OpenSSL, GnuTLS); a URL may contain "ssl" too.
const UNTRUSTED =
  /certificate verification failed|SSL certificate problem|certificate is NOT trusted|self[- ]signed certificate|local issuer certificate|certificate has expired|certificate subject name/i;
const REFUSED =
  /Permission denied \(|Authentication failed|could not read (Username|Password)|returned error: 40[13]/;
const UNREACHABLE =
  /Connection refused|Couldn't connect|Failed to connect|Could not resolve host|Name or service not known|No route to host|Network is unreachable|timed out/i;

const KNOWN_CAUSES: readonly KnownCause[] = [
  {
    when: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
    line: HOST_KEY_FAILED,
    cause: 'the ssh host key differs from the known one (--git-known-hosts-file)',
  },
  {
    when: HOST_KEY_FAILED,
    line: /host key is known for|Host key verification failed/,
    cause: 'the ssh host key is not in the known hosts (--git-known-hosts-file)',
  },
  {
    when: UNTRUSTED,
    line: UNTRUSTED,
    cause: 'the TLS certificate of the host is not trusted; give its CA with --git-ca-file',
  },
  {
    when: REFUSED,
    line: REFUSED,
    cause: "the host refused Lockstep's credentials (--git-ssh-key-file, --git-credentials-file)",
  },
  { when: UNREACHABLE, line: UNREACHABLE, cause: 'the host could not be reached' },
  {
    when: /not found|does not appear to be a git repository|No such file or directory/i,
    line: /not found|does not appear to be a git repository|No such file or directory/i,
    cause: 'there is no such repository',
  },
];

/** git's failure as `<cause>: <git's line>`, or git's line alone when the cause is unknown. */
export function explainGitFailure(error: GitCommandError): string {
  if (error.timedOut) return 'git did not finish in time (timed out)';
  const lines = error.stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const known = KNOWN_CAUSES.find((k) => k.when.test(error.stderr));
  const line = known && lines.find((l) => known.line.test(l));
  if (known && line !== undefined) return `${known.cause}: ${withoutPassword(line)}`;
  return withoutPassword(firstFatalLine(error.stderr) ?? 'git gave no reason');
}

// URLs Lockstep hands to git carry no password, but a host's own message might.
function withoutPassword(line: string): string {
  return line.replace(/\/\/[^/@\s:]+:[^/@\s]*@/g, '//***@');
}
