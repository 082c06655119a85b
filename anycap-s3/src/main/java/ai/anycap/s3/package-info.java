/**
 * Delivers pipeline images to Amazon S3 and S3-compatible stores: {@link ai.anycap.s3.S3Sink}.
 * Everything public lives in this one package; {@code ai.anycap.s3.internal} is not API and may
 * change in any release.
 */
package ai.anycap.s3;
