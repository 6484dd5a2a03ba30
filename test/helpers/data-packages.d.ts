// Minimal types for the two image packages, which ship none. Only the fields that
// test/helpers/realImages.ts reads are declared; everything else about them stays unknown.

declare module 'mnist' {
  /** One digit class: `raw` is every image of the class, concatenated, 784 floats in [0, 1] each. */
  interface MnistDigit {
    readonly id: number;
    readonly raw: readonly number[];
    /** Number of images of this digit. */
    readonly length: number;
  }
  /** Indexed by digit 0..9. */
  const digits: readonly MnistDigit[];
  export = digits;
}

declare module 'fashion-mnist' {
  /**
   * One clothing class: `raw[i]` is image i, 784 ints in 0..255. The package's own `length` field is
   * wrong (it divides the number of images by 784), so count with `raw.length`.
   */
  interface FashionClass {
    readonly id: number;
    readonly raw: readonly (readonly number[])[];
  }
  /** Indexed by class id 0..9. */
  const classes: readonly FashionClass[];
  export = classes;
}
