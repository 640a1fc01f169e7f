package dev.flashsale.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaleEventTest {

    @Test
    void stockEventsOfSalesWithoutCheckoutHaveFiveFieldsAndNoHolds() {
        SaleEvent e = SaleEvent.parse("widget|7|stock|93|7");
        assertThat(e.stock()).isEqualTo(93);
        assertThat(e.sold()).isEqualTo(7);
        assertThat(e.held()).isZero();
    }

    @Test
    void stockEventsOfCheckoutSalesCarryTheUnitsHeld() {
        SaleEvent e = SaleEvent.parse("widget|8|stock|90|10|4");
        assertThat(e.sold()).isEqualTo(10);
        assertThat(e.held()).isEqualTo(4);
    }

    @Test
    void messagesOfAnotherShapeAreIgnored() {
        assertThat(SaleEvent.parse("widget|8|stock|90")).isNull();
        assertThat(SaleEvent.parse("widget|8|stock|90|10|4|1")).isNull();
        assertThat(SaleEvent.parse("widget|8|teleport|1|2")).isNull();
        assertThat(SaleEvent.parse("widget|8|stock|90|10|many")).isNull();
    }
}
