package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageRef;
import ai.anycap.client.Images;
import ai.anycap.client.UploadException;
import ai.anycap.pipeline.InvalidJobException;
import java.util.List;

/**
 * The pre-flight check of a job's local reference files, before anything is spent: each exists,
 * is a readable file, is an image by its first bytes and is under the client's upload cap (the
 * client's own {@link Images#checkReference} rule: nothing is sent, nothing hashed). A problem
 * names the entry and the field (the CSV column) the file came from.
 */
final class ReferenceCheck {

  private ReferenceCheck() {}

  /**
   * @throws InvalidJobException for the first reference that would fail its upload
   */
  static void check(JobPlan plan, Images images) {
    List<ImageRef> references = plan.call().references();
    for (int i = 0; i < references.size(); i++) {
      if (references.get(i) instanceof ImageRef.LocalFile file) {
        try {
          images.checkReference(file.path());
        } catch (UploadException e) {
          throw new InvalidJobException(plan.position(), JobResolver.referenceField(plan.job(), i), e.getMessage(), e);
        }
      }
    }
  }
}
