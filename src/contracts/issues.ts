/** The fields of a zod issue a message needs; structural, so this layer imports no validation library. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** `field.path: message` for each issue, the form every validation error of the project uses. */
export function describeIssues(issues: readonly Issue[], rootLabel = '(root)'): string[] {
  return issues.map((issue) => `${issue.path.map(String).join('.') || rootLabel}: ${issue.message}`);
}
