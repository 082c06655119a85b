/**
 * AnyCap behind Spring AI's {@code ImageModel}: {@link ai.anycap.springai.AnyCapImageModel}.
 */
package ai.anycap.springai;
