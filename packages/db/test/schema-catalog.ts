// Two descriptions of the same database, built so they can be compared with
// toEqual: one from what schema.prisma declares (Prisma's DMMF), one from what
// PostgreSQL holds after the migrations ran (pg_catalog).
import type { getDMMF } from "@prisma/get-dmmf";
import type pg from "pg";

type Dmmf = Exclude<ReturnType<typeof getDMMF>, { type: string }>;
type Model = Dmmf["datamodel"]["models"][number];
type Field = Model["fields"][number];

export interface Column {
  type: string;
  nullable: boolean;
  default: string | null;
}
export interface Index {
  columns: string[];
  unique: boolean;
  primary: boolean;
}
export interface Catalog {
  enums: Record<string, string[]>;
  tables: Record<string, { columns: Record<string, Column>; indexes: Record<string, Index> }>;
}

const DEFAULT_NATIVE_TYPES: Record<string, string> = {
  String: "text",
  Boolean: "boolean",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

function nativeType(field: Field, enumDbNames: Map<string, string>): string {
  if (field.kind === "enum") return enumDbNames.get(field.type) ?? field.type;
  if (field.nativeType) {
    const [name, args] = field.nativeType as [string, string[]];
    const suffix = args.length ? `(${args.join(",")})` : "";
    const base: Record<string, string> = {
      Uuid: "uuid",
      Text: "text",
      VarChar: "varchar",
      Char: "char",
      Timestamptz: "timestamptz",
      Timestamp: "timestamp",
      Integer: "integer",
      BigInt: "bigint",
      Boolean: "boolean",
      JsonB: "jsonb",
    };
    const mapped = base[name];
    if (!mapped) throw new Error(`The drift test does not know the native type @db.${name}`);
    return mapped + suffix;
  }
  const mapped = DEFAULT_NATIVE_TYPES[field.type];
  if (!mapped) throw new Error(`The drift test does not know the Prisma type ${field.type}`);
  return mapped;
}

function columnDefault(field: Field, type: string): string | null {
  const value = field.default as unknown;
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    if (value.length === 0) return `ARRAY[]::${type}`;
    throw new Error(`The drift test does not know list default ${JSON.stringify(value)}`);
  }
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") {
    return field.kind === "enum" ? `'${value}'::${type}` : `'${value}'::${type}`;
  }
  const call = value as { name: string; args: unknown[] };
  if (call.name === "now") return "CURRENT_TIMESTAMP";
  if (call.name === "dbgenerated") return String(call.args[0]);
  // uuid(), cuid(), … are filled in by Prisma Client, not by the database.
  if (["uuid", "cuid", "nanoid", "ulid"].includes(call.name)) return null;
  throw new Error(`The drift test does not know the default ${call.name}()`);
}

/** What the Prisma schema says the database should contain. */
export function catalogFromDmmf(dmmf: Dmmf): Catalog {
  const { datamodel } = dmmf;
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const catalog: Catalog = { enums: {}, tables: {} };
  for (const e of datamodel.enums) {
    catalog.enums[e.dbName ?? e.name] = e.values.map((v) => v.dbName ?? v.name);
  }
  const tableOf = new Map<string, Model>();
  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    tableOf.set(model.name, model);
    const columns: Record<string, Column> = {};
    for (const field of model.fields) {
      if (field.kind !== "scalar" && field.kind !== "enum") continue;
      const base = nativeType(field, enumDbNames);
      const type = field.isList ? `${base}[]` : base;
      columns[field.dbName ?? field.name] = {
        type,
        // Prisma Migrate creates scalar lists as nullable arrays.
        nullable: field.isList || !field.isRequired,
        default: columnDefault(field, type),
      };
    }
    catalog.tables[table] = { columns, indexes: {} };
  }
  for (const index of datamodel.indexes) {
    const model = tableOf.get(index.model);
    if (!model) throw new Error(`Index on unknown model ${index.model}`);
    const table = model.dbName ?? model.name;
    const columnOf = (name: string) => {
      const field = model.fields.find((f) => f.name === name);
      return field?.dbName ?? name;
    };
    const columns = index.fields.map(
      (f) => columnOf(f.name) + (f.sortOrder === "desc" ? " DESC" : ""),
    );
    const plain = index.fields.map((f) => columnOf(f.name)).join("_");
    const name =
      index.dbName ??
      (index.type === "id"
        ? `${table}_pkey`
        : index.type === "unique"
          ? `${table}_${plain}_key`
          : `${table}_${plain}_idx`);
    catalog.tables[table]!.indexes[name] = {
      columns,
      unique: index.type !== "normal" && index.type !== "fulltext",
      primary: index.type === "id",
    };
  }
  return catalog;
}

function normalizePgType(type: string): string {
  return type
    .replace(/^character varying/, "varchar")
    .replace(/^character\b/, "char")
    .replace(/^timestamp(\(\d+\))? with time zone/, "timestamptz$1")
    .replace(/^timestamp(\(\d+\))? without time zone/, "timestamp$1");
}

/** What the database at the other end of `client` actually contains. */
export async function catalogFromDatabase(client: pg.Client): Promise<Catalog> {
  const catalog: Catalog = { enums: {}, tables: {} };
  const enums = await client.query<{ name: string; label: string }>(`
    SELECT t.typname AS name, e.enumlabel AS label
      FROM pg_type t
      JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = current_schema()
     ORDER BY t.typname, e.enumsortorder`);
  for (const row of enums.rows) (catalog.enums[row.name] ??= []).push(row.label);

  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default: string | null;
  }>(`
    SELECT c.relname AS table, a.attname AS column,
           format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null,
           pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = current_schema() AND c.relkind = 'r'
       AND c.relname <> '_prisma_migrations'
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`);
  for (const row of columns.rows) {
    const table = (catalog.tables[row.table] ??= { columns: {}, indexes: {} });
    table.columns[row.column] = {
      type: normalizePgType(row.type),
      nullable: !row.not_null,
      default: row.default,
    };
  }

  const indexes = await client.query<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    definition: string;
  }>(`
    SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique,
           ix.indisprimary AS primary, pg_get_indexdef(ix.indexrelid) AS definition
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`);
  for (const row of indexes.rows) {
    const inside = /\((.*)\)$/.exec(row.definition)?.[1] ?? "";
    catalog.tables[row.table]!.indexes[row.name] = {
      columns: inside.split(", ").map((column) => column.replaceAll('"', "")),
      unique: row.unique,
      primary: row.primary,
    };
  }
  return catalog;
}
