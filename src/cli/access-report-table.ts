/**
 * The access review as people read it: principals, what each may do per pipeline, and the
 * findings. Reads the report as it comes off the wire (timestamps in epoch seconds).
 */
import { formatTime, renderTable } from './render-table.js';

export interface WireAction {
  action: string;
  access: 'allowed' | 'allowed-with-mfa' | 'conditional';
  dependsOn?: string[];
}

export interface WireAccessReport {
  accountId: string;
  generatedAt: number;
  mfaStatus: string;
  actionsChecked: { pipeline: string[]; account: string[] };
  principals: {
    type: string;
    name: string;
    arn: string;
    rootEquivalent: boolean;
    mfa: string;
    policies: string[];
    permissionsBoundary: string | null;
    accessKeys: {
      accessKeyId: string;
      status: string;
      createDate: number;
      lastUsedDate: number | null;
    }[];
    accountActions: WireAction[];
    pipelines: { pipelineName: string; actions: WireAction[] }[];
  }[];
  findings: { kind: string; principals: string[]; detail: string }[];
}

type Principal = WireAccessReport['principals'][number];

const when = (seconds: number) => formatTime(new Date(seconds * 1000));
const shortName = (action: string) => action.replace(/^codepipeline:/, '');

/** What a principal may do with one set of actions, in one cell. */
function accessCell(actions: WireAction[], checked: string[]): string {
  const names = (level: WireAction['access']) =>
    actions.filter((a) => a.access === level).map((a) => shortName(a.action));
  const allowed = names('allowed');
  const others = checked.map(shortName).filter((a) => !allowed.includes(a));
  // Past half the list, what is missing is shorter to read than what is there.
  const allowedText =
    others.length === 0
      ? `all ${checked.length} actions`
      : allowed.length > checked.length / 2
        ? `all but ${others.join(', ')}`
        : allowed.join(', ');
  const withMfa = names('allowed-with-mfa');
  const conditional = actions
    .filter((a) => a.access === 'conditional')
    .map((a) => `${shortName(a.action)} (${(a.dependsOn ?? []).join(', ')})`);
  return [
    allowed.length > 0 ? allowedText : '',
    withMfa.length > 0 ? `only with MFA: ${withMfa.join(', ')}` : '',
    conditional.length > 0 ? `depending on the request: ${conditional.join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
}

function accessRows(principal: Principal, report: WireAccessReport): string[][] {
  const { pipeline, account } = report.actionsChecked;
  const rows: string[][] = [];
  if (principal.accountActions.length > 0) {
    rows.push([principal.name, '(account)', accessCell(principal.accountActions, account)]);
  }
  for (const p of principal.pipelines) {
    rows.push([principal.name, p.pipelineName, accessCell(p.actions, pipeline)]);
  }
  return rows.length > 0 ? rows : [[principal.name, '-', 'nothing']];
}

function keyCell(key: Principal['accessKeys'][number]): string {
  const used = key.lastUsedDate === null ? 'never used' : `last used ${when(key.lastUsedDate)}`;
  return `${key.accessKeyId} (${key.status}, created ${when(key.createDate)}, ${used})`;
}

function principalRow(principal: Principal): string[] {
  const policies = principal.rootEquivalent
    ? 'root-equivalent: everything allowed'
    : [
        ...principal.policies,
        ...(principal.permissionsBoundary ? [`boundary ${principal.permissionsBoundary}`] : []),
      ].join(', ') || '(none)';
  const keys = principal.accessKeys.map(keyCell).join('; ');
  return [principal.type, principal.name, principal.mfa, policies, keys || '-'];
}

/** Renders the report as plain-text tables. */
export function renderAccessReport(report: WireAccessReport): string {
  const head =
    `Access review of account ${report.accountId} at ${when(report.generatedAt)}\n` +
    (report.mfaStatus === 'available' ? '' : `MFA: ${report.mfaStatus}\n`);
  const principals = renderTable(
    ['TYPE', 'NAME', 'MFA', 'POLICIES', 'ACCESS KEYS'],
    report.principals.map(principalRow),
  );
  const access = renderTable(
    ['PRINCIPAL', 'PIPELINE', 'CAN DO'],
    report.principals.flatMap((p) => accessRows(p, report)),
  );
  const findings =
    report.findings.length === 0
      ? 'none\n'
      : renderTable(
          ['KIND', 'PRINCIPALS', 'DETAIL'],
          report.findings.map((f) => [f.kind, f.principals.join(', '), f.detail]),
        );
  return [head, 'PRINCIPALS', principals, 'ACCESS', access, 'FINDINGS', findings].join('\n');
}
