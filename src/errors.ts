/**
 * Typed errors thrown by zoobot-ts. Every error is a {@link ZoobotError}, so hosts can
 * catch the library's errors in one place and still tell them apart with `instanceof`.
 *
 * @module errors
 */

/** Base class of every error zoobot-ts throws on purpose. */
export class ZoobotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    // Keeps `instanceof` working when the class is down-levelled or bundled twice.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** A decision-tree schema is malformed (cycle, unknown dependency, duplicate column, ...). */
export class SchemaError extends ZoobotError {}

/** Tensor or array shapes disagree with each other or with a schema. */
export class ShapeError extends ZoobotError {}

/** An option or argument is out of range or of the wrong kind. */
export class ConfigError extends ZoobotError {}

/** A required tfjs backend or kernel is not available. */
export class BackendError extends ZoobotError {}

/** Where in an input file a problem was found. All fields are optional because not every source has rows or columns. */
export interface DataLocation {
  /** The file (or other source, such as a SQL query) the problem was found in. */
  readonly file?: string;
  /** One-based data row (the header is row 0), or record index for binary formats. */
  readonly row?: number;
  /** Column name. */
  readonly column?: string;
  /** Byte offset, for binary formats. */
  readonly offset?: number;
}

/** Bad input data: a catalogue cell, an image, a shard. The message names the file, row and column. */
export class DataError extends ZoobotError implements DataLocation {
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  readonly offset?: number;

  constructor(problem: string, location: DataLocation = {}, options?: { cause?: unknown }) {
    super(`${describeLocation(location)}${problem}`, options);
    Object.assign(this, location);
  }
}

function describeLocation({ file, row, column, offset }: DataLocation): string {
  const parts: string[] = [];
  if (file !== undefined) parts.push(file);
  if (row !== undefined) parts.push(`row ${row}`);
  if (column !== undefined) parts.push(`column '${column}'`);
  if (offset !== undefined) parts.push(`byte offset ${offset}`);
  return parts.length > 0 ? `${parts.join(', ')}: ` : '';
}
