import assert from 'node:assert/strict';
import { it } from 'node:test';

import { bad, ok } from './coerce-support';

// Java 17's Float.toString (Kafka Connect JSON / Jackson on JDK ≤ 18) writes nine digits for many floats
// of 1e8 and up, not the ones Java 19+ writes; both texts are one float, which Doris stores. Before, the
// JDK 17 text went to Invalid with rule precision (60-80 % of floats from 1e8 to 1e18).
it('FLOAT takes Java 17\'s text of a float (within a unit of its last digit), and still refuses numbers a float would change', () => {
	for (const [jdk17, jdk19] of [
		['2.2856919E9', '2.285692E9'],
		['4.18937487E18', '4.189375E18'],
		['9.0432521E16', '9.043252E16'],
		['4.6853484E25', '4.6853485E25'],
	]) {
		assert.equal(Math.fround(Number(jdk17)), Math.fround(Number(jdk19)), `${jdk17}: one float`);
		ok('FLOAT', Number(jdk17), Number(jdk17));
		ok('FLOAT', jdk17, Number(jdk17));
		ok('FLOAT', `-${jdk17}`, -Number(jdk17));
	}
	// A unit or more away from the float Doris would store: refused as before.
	for (const v of [16777217, 33554433, 100000001, 3.14159265, 16777217.5, '0.123456789', 1e-50]) bad('FLOAT', v, 'precision');
});
