/** Row x column direction cosines: the normal of an image plane given as Image Orientation (Patient). */
export function cross(o: readonly number[]): [number, number, number] {
  const [a, b, c, d, e, f] = o as [number, number, number, number, number, number];
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

/** The Image Position (Patient) that centres an axial image of `rows` x `columns` on x = y = 0, at height `z`. */
export function centredPosition(rows: number, columns: number, pixelSpacing: readonly [number, number], z = 0): [number, number, number] {
  return [-((columns - 1) * pixelSpacing[1]) / 2, -((rows - 1) * pixelSpacing[0]) / 2, z];
}

/** `origin` moved `distance` along `direction`. */
export function along(origin: readonly number[], direction: readonly number[], distance: number): [number, number, number] {
  return [origin[0]! + direction[0]! * distance, origin[1]! + direction[1]! * distance, origin[2]! + direction[2]! * distance];
}

/** Dot product of two 3-vectors. */
export function dot(a: readonly number[], b: readonly number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}
