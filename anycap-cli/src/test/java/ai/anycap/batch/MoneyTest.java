package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  void dollarsShowCents_keepAPricePerImage_andRoundUp() {
    assertThat(Money.usd(new BigDecimal("0.1"))).isEqualTo("$0.10");
    assertThat(Money.usd(new BigDecimal("0.10000"))).isEqualTo("$0.10");
    assertThat(Money.usd(new BigDecimal("0.005"))).isEqualTo("$0.005");
    assertThat(Money.usd(new BigDecimal("12"))).isEqualTo("$12.00");
    assertThat(Money.usd(BigDecimal.ZERO)).isEqualTo("$0.00");
    assertThat(Money.usd(new BigDecimal("0.12341"))).as("never rounded down").isEqualTo("$0.1235");
    assertThat(Money.usd(new BigDecimal("0.00001"))).as("never shown as nothing").isEqualTo("$0.0001");
    assertThat(Money.usd(new BigDecimal("1E+2"))).isEqualTo("$100.00");
  }

  @Test
  void creditsArePlain() {
    assertThat(Money.plain(new BigDecimal("20.000"))).isEqualTo("20");
    assertThat(Money.plain(new BigDecimal("1.50"))).isEqualTo("1.5");
    assertThat(Money.plain(new BigDecimal("0.00"))).isEqualTo("0");
    assertThat(Money.plain(new BigDecimal("1E+2"))).isEqualTo("100");
  }
}
