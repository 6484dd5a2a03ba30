/**
 * How pixels (0..255) become a backbone's input, as the model was trained: '0,1' (x/255), '-1,1'
 * (x/127.5 − 1, MobileNet and Inception), '0,255' (unchanged) or 'imagenet' (x/255, then the
 * ImageNet mean and standard deviation per channel, torchvision's and timm's default). Kept apart
 * from backboneModel.ts so that the CLI's options and the editor need no TensorFlow.js to name them.
 */
export const PIXEL_SCALINGS = ['0,1', '-1,1', '0,255', 'imagenet'] as const;
export type PixelScaling = (typeof PIXEL_SCALINGS)[number];
