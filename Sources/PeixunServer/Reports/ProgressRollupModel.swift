import Fluent
import SQLKit
