package com.example.shop;

import ai.anycap.client.AnyCapClient;
import ai.anycap.client.PromptTemplate;
import ai.anycap.client.PromptTemplates;
import ai.anycap.pipeline.ImagePipeline;
import ai.anycap.pipeline.PipelineListener;
import ai.anycap.redis.RedisJobQueue;
import ai.anycap.s3.S3Sink;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** The shop's image service: product photos from a Redis queue, generated with AnyCap, stored in S3. */
public final class ShopImages {

  private ShopImages() {}

  /** The queue the shop's back office fills and the workers empty. */
  public static RedisJobQueue queue(String redisUri) {
    return RedisJobQueue.builder().redisUri(redisUri).namespace("shop").build();
  }

  /** A worker's pipeline: each image generated, kept under {@code output}, uploaded to {@code bucket}. */
  public static ImagePipeline worker(AnyCapClient anycap, S3AsyncClient s3, String bucket, Path output,
      PipelineListener listener) {
    return ImagePipeline.builder()
        .client(anycap)
        .templates(PromptTemplates.of(PromptTemplate.of("product", "Product photo: {name}, studio lighting")))
        .outputRoot(output)
        .sink(S3Sink.builder().client(s3).bucket(bucket).build())
        .listener(listener)
        .build();
  }
}
