package incentive

import "testing"

func TestShippedCatalogValidates(t *testing.T) {
	c, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"sun-storage-rebate", "instant-ac-savings", "solar-battery-access", "energized-communities",
		"heer-smart-thermostat", "heer-pool-pump", "heer-evaporative-cooler", "heer-hpwh", "heer-fridge-recycling",
		"heer-energy-star-fridge", "residential-hvac-qi", "ca-advanced-homes", "euc-basic", "euc-advanced", "direct-install",
		"multifamily-rebates", "power-share", "power-response"} {
		if _, err := c.Program(id); err != nil {
			t.Errorf("program %s: %v", id, err)
		}
	}
}
