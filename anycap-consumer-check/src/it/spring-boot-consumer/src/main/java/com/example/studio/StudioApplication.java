package com.example.studio;

import ai.anycap.pipeline.BatchReport;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.JobSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;

/** The service: everything AnyCap comes from the starter and application.yml. */
@SpringBootApplication
public class StudioApplication {

  public static void main(String[] args) {
    SpringApplication.run(StudioApplication.class, args);
  }

  /** Starts batches on the application's one pipeline. */
  @Service
  public static class Covers {
    private final ImagePipeline pipeline;

    public Covers(ImagePipeline pipeline) {
      this.pipeline = pipeline;
    }

    public CompletableFuture<BatchReport> render(List<String> titles) {
      List<ImageJob> jobs = titles.stream()
          .map(t -> ImageJob.builder().id(t).prompt("A book cover for \"" + t + "\"").outputKey(t + ".png").build())
          .toList();
      return pipeline.runAsync(JobSource.of(jobs));
    }
  }
}
