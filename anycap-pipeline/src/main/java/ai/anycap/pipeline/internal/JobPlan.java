package ai.anycap.pipeline.internal;

import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.JobPosition;
import java.nio.file.Path;

/** A job resolved into the call it makes and the file it writes. */
public record JobPlan(ImageJob job, JobPosition position, JobCall call, Path output) {}
