import Foundation
import PeixunServer

exit(await Entrypoint.main())
