import { lstatSync, readlinkSync, realpathSync } from 'node:fs';

/**
 * The host directories a build needs to run programs (shell, coreutils, git, node, python3),
 * shown read-only. /etc is shown whole because resolvers, certificates, passwd/group and
 * alternatives all live there; what is secret in it (shadow, private keys) is protected by file
 * permissions against the unprivileged uid the sandbox runs as.
 */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

/**
 * Files in /etc that are often symbolic links out of it (systemd-resolved points resolv.conf at
 * /run, some distributions keep certificates elsewhere); their targets are shown too, or DNS
 * and TLS would break inside the sandbox.
 */
const ETC_LINKS = [
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/localtime',
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/ssl/cert.pem',
  '/etc/pki/tls/certs/ca-bundle.crt',
];

let cached: string[] | undefined;

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

function dirArgs(dir: string): string[] {
  const stat = lstatOrUndefined(dir);
  // On merged-/usr systems /bin, /lib ... are links into /usr: recreate the link, don't bind.
  if (stat?.isSymbolicLink()) return ['--symlink', readlinkSync(dir), dir];
  if (stat?.isDirectory()) return ['--ro-bind', dir, dir];
  return [];
}

function linkTargetArgs(bound: string[]): string[] {
  const args: string[] = [];
  for (const file of ETC_LINKS) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue;
    }
    if (bound.some((dir) => real === dir || real.startsWith(`${dir}/`))) continue;
    args.push('--ro-bind', real, real);
  }
  return args;
}

/** bwrap arguments that show the host's system directories read-only at the same paths. */
export function hostSystemMountArgs(): string[] {
  if (cached !== undefined) return cached;
  const args = SYSTEM_DIRS.flatMap(dirArgs);
  const bound = SYSTEM_DIRS.filter((dir) => lstatOrUndefined(dir)?.isDirectory());
  cached = [...args, ...linkTargetArgs(bound)];
  return cached;
}
