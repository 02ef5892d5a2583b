/**
 * Where a connection's repositories live: a `file://`, `https://` or `ssh://` URL that
 * Lockstep hands to `git`. Anything else is refused here, before it is ever stored, because
 * git's other transports (`ext::`, `fd::`) run commands, and a URL is shown to every caller.
 */
import { InvalidInputException } from './connection-errors.js';

const SCHEMES = new Set(['file:', 'https:', 'ssh:']);

/** Checks an endpoint URL and returns it without trailing slashes; InvalidInputException otherwise. */
export function checkConnectionEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw refused(endpoint, 'it is not a URL');
  }
  if (!SCHEMES.has(url.protocol)) {
    throw refused(endpoint, `the scheme '${url.protocol.slice(0, -1)}' is not file, https or ssh`);
  }
  // Credentials in the URL would be stored in clear and returned by GetConnection; an ssh
  // user name (git@) is not a secret, anything in an https URL's user part may be a token.
  if (url.password !== '' || (url.protocol === 'https:' && url.username !== '')) {
    throw refused(endpoint, 'it must not contain credentials');
  }
  if (url.search !== '' || url.hash !== '') {
    throw refused(endpoint, 'it must not have a query or fragment');
  }
  if (url.protocol === 'file:' && url.host !== '' && url.host !== 'localhost') {
    throw refused(endpoint, 'a file URL must name a local path (file:///path)');
  }
  if (url.protocol !== 'file:' && url.host === '') {
    throw refused(endpoint, 'it has no host');
  }
  // git parses URLs its own way; only a URL that reads the same to both parsers is checked.
  const canonical = url.href.replace(/\/+$/, '');
  if (canonical !== endpoint.replace(/\/+$/, '')) {
    throw refused(endpoint, `write it as '${redactEndpoint(canonical)}'`);
  }
  return canonical;
}

/** The endpoint with any user part hidden, for messages and the audit trail. */
export function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

function refused(endpoint: string, why: string): Error {
  return new InvalidInputException(
    `The endpoint '${redactEndpoint(endpoint)}' is not valid: ${why}.`,
  );
}
