package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The command line widens the JDK's common pool on small machines only, and never over the user's choice. */
class CommonPoolTest {

  @Test
  void onOneOrTwoCores_theCommonPoolGetsTwo() {
    for (int cores : new int[] {1, 2}) {
      Properties p = new Properties();
      assertThat(AnyCapBatch.widenCommonPool(p, cores)).isTrue();
      assertThat(p.getProperty(AnyCapBatch.COMMON_POOL_PARALLELISM)).isEqualTo("2");
    }
  }

  @Test
  void onMoreCores_orWhenTheUserChose_nothingChanges() {
    Properties more = new Properties();
    assertThat(AnyCapBatch.widenCommonPool(more, 4)).isFalse();
    assertThat(more).isEmpty();

    Properties chosen = new Properties();
    chosen.setProperty(AnyCapBatch.COMMON_POOL_PARALLELISM, "1");
    assertThat(AnyCapBatch.widenCommonPool(chosen, 2)).isFalse();
    assertThat(chosen.getProperty(AnyCapBatch.COMMON_POOL_PARALLELISM)).isEqualTo("1");
  }
}
