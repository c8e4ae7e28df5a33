declare module 'fft.js' {
  /** Radix-4 FFT of a power-of-two size over interleaved complex arrays (re, im, re, im, ...). */
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    /** Forward transform of a real signal; fills the first half of `out` (bins 0..size/2). */
    realTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
    completeSpectrum(spectrum: ArrayLike<number>): void;
    transform(out: ArrayLike<number>, data: ArrayLike<number>): void;
    /** Inverse complex transform, scaled by 1/size. */
    inverseTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  }
}
