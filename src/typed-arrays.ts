// Growing typed arrays used as append-only columns (sort runs, reference indexes).

type Column = Int32Array | Uint32Array | Float64Array;

/** A copy of `column` with twice its length (at least `min`), the values kept at the front. */
export function doubled<T extends Column>(column: T, min = 16): T {
  const bigger = new (column.constructor as new (length: number) => T)(Math.max(column.length * 2, min));
  bigger.set(column);
  return bigger;
}
