// The @libp2p/interop suite imports `expect` from aegir/chai and uses the
// `equalBytes` assertion (from aegir's chai-bites plugin), defined here, and
// `.to.exist()` called as a function (aegir's dirty-chai), too.
import * as chai from 'chai'

chai.use((c, utils) => {
  c.Assertion.addMethod('equalBytes', function (expected) {
    const actual = utils.flag(this, 'object')
    const a = actual == null ? actual : Array.from(actual)
    const e = expected == null ? expected : Array.from(expected)
    this.assert(
      JSON.stringify(a) === JSON.stringify(e),
      'expected #{this} to equal bytes #{exp}',
      'expected #{this} to not equal bytes #{exp}',
      expected,
      actual
    )
  })
  c.Assertion.addChainableMethod('exist', function () {}, function () {
    const obj = utils.flag(this, 'object')
    this.assert(obj !== null && obj !== undefined, 'expected #{this} to exist', 'expected #{this} to not exist')
  })
})

export const expect = chai.expect
export const assert = chai.assert
export { chai }
export default chai
