/**
 * Just enough of an UPDATE statement's shape to tell a blind overwrite (`SET counter = $2`) from
 * a relative update (`SET counter = counter + 1`) and to tell which row it writes. Not a SQL
 * parser: statements it does not understand yield null, and the rule then assumes nothing.
 */
export interface UpdateShape {
  readonly table: string;
  /** Columns set to a client value (`counter = $2`), with the parameter's number. */
  readonly absolute: ReadonlyMap<string, number>;
  /** Every column the statement sets, to a client value or not (`version = version + 1`). */
  readonly assigned: ReadonlySet<string>;
  /** The WHERE clause's `column = $n` conditions joined by AND, with the parameter's number. */
  readonly equalities: ReadonlyMap<string, number>;
  readonly hasWhere: boolean;
}

const IDENTIFIER = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QUALIFIED = String.raw`${IDENTIFIER}(?:\s*\.\s*${IDENTIFIER})*`;
const UPDATE_HEAD = new RegExp(String.raw`^\s*UPDATE\s+(?:ONLY\s+)?(${QUALIFIED})(?:\s+(?:AS\s+)?${IDENTIFIER})??\s+SET\s`, 'i');
/** `$2`, optionally cast (`$2::bigint`). */
const PARAMETER = String.raw`\$(\d+)(?:\s*::\s*[\w\s[\]]+)?`;
const ASSIGNMENT = new RegExp(String.raw`^(${QUALIFIED})\s*=\s*([\s\S]*)$`);
const CLIENT_VALUE = new RegExp(String.raw`^${PARAMETER}$`);
const COLUMN_EQUALS_PARAMETER = new RegExp(String.raw`^(${QUALIFIED})\s*=\s*${PARAMETER}$`);
const PARAMETER_EQUALS_COLUMN = new RegExp(String.raw`^\$(\d+)\s*=\s*(${QUALIFIED})$`);

/** The last part of a possibly qualified name, as PostgreSQL folds it (quoted keeps its case). */
export function columnName(qualified: string): string {
  const last = qualified.match(new RegExp(`${IDENTIFIER}$`))?.[0] ?? qualified;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

function withoutComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/**
 * The statement with string literals, quoted identifiers and parenthesized parts blanked out
 * (same length), so that keywords and commas found in it are top-level ones.
 */
function blankNested(sql: string): string {
  let depth = 0;
  let quote: string | null = null;
  let blanked = '';
  for (const char of sql) {
    const inside = quote !== null || depth > 0;
    if (quote) quote = char === quote ? null : quote;
    else if (char === "'" || char === '"') quote = char;
    else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    blanked += inside || quote ? '_'.repeat(char.length) : char;
  }
  return blanked;
}

/** Splits `text` where `separator` matches its top level, trimming the parts. */
function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const match of blankNested(text).matchAll(separator)) {
    parts.push(text.slice(from, match.index));
    from = match.index + match[0].length;
  }
  parts.push(text.slice(from));
  return parts.map((part) => part.trim());
}

/** Where the first top-level keyword of `keywords` starts, or the end of the text. */
function clauseEnd(text: string, keywords: string): number {
  const index = blankNested(text).search(new RegExp(String.raw`\b(?:${keywords})\b`, 'i'));
  return index < 0 ? text.length : index;
}

function assignments(setList: string): { absolute: Map<string, number>; assigned: Set<string> } {
  const absolute = new Map<string, number>();
  const assigned = new Set<string>();
  for (const assignment of splitTopLevel(setList, /,/g)) {
    const match = assignment.match(ASSIGNMENT);
    if (!match?.[1] || match[2] === undefined) continue;
    const column = columnName(match[1]);
    assigned.add(column);
    const parameter = match[2].trim().match(CLIENT_VALUE)?.[1];
    if (parameter) absolute.set(column, Number(parameter));
  }
  return { absolute, assigned };
}

function equalities(where: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const condition of splitTopLevel(where, /\bAND\b/gi)) {
    const direct = condition.match(COLUMN_EQUALS_PARAMETER);
    const reversed = condition.match(PARAMETER_EQUALS_COLUMN);
    if (direct?.[1] && direct[2]) found.set(columnName(direct[1]), Number(direct[2]));
    else if (reversed?.[1] && reversed[2]) found.set(columnName(reversed[2]), Number(reversed[1]));
  }
  return found;
}

/** The shape of an `UPDATE … SET … [FROM …] [WHERE …] [RETURNING …]`, or null for anything else. */
export function updateShape(sql: string): UpdateShape | null {
  const text = withoutComments(sql);
  const head = text.match(UPDATE_HEAD);
  if (!head?.[1]) return null;
  const rest = text.slice(head[0].length);
  const setEnd = clauseEnd(rest, 'FROM|WHERE|RETURNING');
  const { absolute, assigned } = assignments(rest.slice(0, setEnd));
  const afterSet = rest.slice(setEnd);
  const whereAt = blankNested(afterSet).search(/\bWHERE\b/i);
  const where = whereAt < 0 ? '' : afterSet.slice(whereAt + 'WHERE'.length);
  const conditions = where.slice(0, clauseEnd(where, 'RETURNING'));
  return { table: columnName(head[1]), absolute, assigned, equalities: equalities(conditions), hasWhere: whereAt >= 0 };
}

/** A write's parameters from its timeline detail (`$1=1 $2=42`), by number, as shown. */
export function writeParameters(detail: string): Map<number, string> {
  const values = new Map<number, string>();
  let rest = detail;
  for (let number = 1; rest.startsWith(`$${number}=`); number++) {
    rest = rest.slice(`$${number}=`.length);
    const next = rest.indexOf(` $${number + 1}=`);
    values.set(number, next < 0 ? rest : rest.slice(0, next));
    rest = next < 0 ? '' : rest.slice(next + 1);
  }
  return values;
}

/** The columns a read returned, from its timeline detail (`counter=41 version=7`). */
export function readColumns(detail: string): Set<string> {
  return new Set([...detail.matchAll(/(?:^|\s)([^\s=']+)=/g)].map((match) => match[1] ?? ''));
}
