import type { Project } from "../core/schemas.ts";
import type { Db } from "./db.ts";

/** Inserts the project row. */
export function insertProject(db: Db, p: Project): void {
  db.run(
    "INSERT INTO projects (id, name, repo_path, prd_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    p.id,
    p.name,
    p.repo_path,
    p.prd_path,
    p.created_at,
    p.updated_at,
  );
}

/** Updates the project row's name and paths. */
export function updateProject(
  db: Db,
  id: string,
  fields: Pick<Project, "name" | "repo_path" | "prd_path" | "updated_at">,
): void {
  db.run(
    "UPDATE projects SET name = ?, repo_path = ?, prd_path = ?, updated_at = ? WHERE id = ?",
    fields.name,
    fields.repo_path,
    fields.prd_path,
    fields.updated_at,
    id,
  );
}

/** The project row (v1 has exactly one), or undefined before setup. */
export function getProject(db: Db): Project | undefined {
  return db.get<Project>("SELECT * FROM projects ORDER BY created_at LIMIT 1");
}
