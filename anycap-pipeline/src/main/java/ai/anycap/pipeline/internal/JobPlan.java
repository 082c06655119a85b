package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageRequest;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobPosition;
import java.nio.file.Path;

/** A job resolved into the request it sends and the file it writes. */
public record JobPlan(ImageJob job, JobPosition position, ImageRequest request, Path output) {}
