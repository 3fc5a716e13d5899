/**
 * One place backups are kept (a directory, an S3 prefix, a GCS prefix). Names are relative to the
 * location. `putFile` makes the object visible under its name only once it is complete and its
 * SHA-256 checked by the receiver where the service can (a killed upload leaves nothing, or an
 * object nobody lists as a backup because its manifest was never written).
 */
export interface BackupTarget {
  putFile(name: string, file: string, sha256: string): Promise<void>
  putText(name: string, text: string): Promise<void>
  /** Downloads an object to `dest` (a new file); undefined when there is no such object. */
  getFile(name: string, dest: string): Promise<true | undefined>
  getText(name: string): Promise<string | undefined>
  /** The names directly under the location (no sub-prefixes). */
  list(): Promise<string[]>
  remove(name: string): Promise<void>
}
