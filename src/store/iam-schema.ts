/** Kysely table types of the IAM tables (src/store/iam-migration.ts). */

export interface IamTables {
  iam_users: {
    user_name: string;
    user_id: string;
    arn: string;
    path: string;
    permissions_boundary_arn: string | null;
    created_ms: number;
  };
  iam_groups: {
    group_name: string;
    group_id: string;
    arn: string;
    path: string;
    created_ms: number;
  };
  iam_group_members: { group_name: string; user_name: string };
  iam_roles: {
    role_name: string;
    role_id: string;
    arn: string;
    path: string;
    assume_role_policy: string;
    description: string | null;
    max_session_seconds: number;
    permissions_boundary_arn: string | null;
    created_ms: number;
  };
  iam_policies: {
    arn: string;
    policy_name: string;
    policy_id: string;
    path: string;
    description: string | null;
    default_version_id: string;
    created_ms: number;
    updated_ms: number;
  };
  iam_policy_versions: {
    policy_arn: string;
    version_id: string;
    document: string;
    created_ms: number;
  };
  iam_inline_policies: {
    principal_type: string;
    principal_name: string;
    policy_name: string;
    document: string;
  };
  iam_attached_policies: { principal_type: string; principal_name: string; policy_arn: string };
}
